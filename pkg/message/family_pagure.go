package message

import (
	"slices"
	"strings"
)

// pagure handles pagure.io and dist-git (src.fedoraproject.org), which share topics. Changes to
// a dist-git repository's content (pushes, pull requests, commit flags) are about its artifact.
func pagure(x *extraction) {
	if x.agent == "" {
		x.setAgent(getString(x.root, "commit", "email"))
	}
	if !strings.HasPrefix(x.topic, "pagure.git.") && !strings.HasPrefix(x.topic, "pagure.pull-request.") &&
		!strings.HasPrefix(x.topic, "pagure.commit.") {
		return
	}
	for _, k := range [...][]string{{"pullrequest", "project"}, {"pull_request", "project"}, {"repo"}, {"project"}} {
		p, ok := getPath(x.root, k...).(map[string]any)
		if !ok {
			continue
		}
		ns, _ := p["namespace"].(string)
		if ns == "" {
			return // a pagure.io project
		}
		if t := namespaceType(ns); t != "" {
			name, _ := p["name"].(string)
			x.addArtifact(t, name)
		}
		return
	}
}

// forgeLastID returns the id of the last element of an array of objects (the newest comment).
func forgeLastID(v any) string {
	arr, _ := v.([]any)
	if len(arr) == 0 {
		return ""
	}
	return scalarString(getPath(arr[len(arr)-1], "id"))
}

// pagureProject returns a project's path on its instance ("test", "rpms/nispor",
// "fork/packit/rpms/nispor") and the instance's base URL.
func pagureProject(p any) (string, string) {
	obj, ok := p.(map[string]any)
	if !ok {
		return "", ""
	}
	path := getString(obj, "url_path")
	if path == "" {
		name := getString(obj, "name")
		if name == "" {
			return "", ""
		}
		path = name
		if ns := getString(obj, "namespace"); ns != "" {
			path = ns + "/" + path
		}
		if getPath(obj, "parent") != nil {
			if u := getString(obj, "user", "name"); u != "" {
				path = "fork/" + u + "/" + path
			}
		}
	}
	if full := httpURL(getString(obj, "full_url")); full != "" {
		if base, ok := strings.CutSuffix(strings.TrimSuffix(full, "/"), "/"+path); ok {
			return path, base
		}
	}
	ns := getString(obj, "namespace")
	if ns == "" {
		ns = getString(obj, "parent", "namespace")
	}
	if distgitNamespace(ns) {
		return path, forgeDistgit
	}
	return path, forgePagure
}

// pagureText sets the summary and URL of a pagure message (pagure.io and dist-git share topics).
func pagureText(x *extraction) {
	p := newPagureEvent(x)
	if p.path == "" {
		p.projectlessText()
		return
	}
	s, u := p.sentence()
	if u != "" {
		x.url = u
	}
	pagureDetails(x, p.ev, p.proj, p.issue, p.pr, p.projURL)
	if strings.TrimSpace(s) != "" && !strings.HasPrefix(s, " ") {
		x.summary = s
	} else if s != "" {
		x.summary = strings.TrimSpace(s)
	}
}

// pagureEvent is what a pagure sentence is made of: the body, the event (the topic after
// "pagure."), who acted, and the project, pull request and issue the event is about.
type pagureEvent struct {
	x                  *extraction
	r, pr, proj, issue any
	ev, who            string
	// path, base and projURL are the project's path, its instance and its page.
	path, base, projURL string
	issueID, prID       string
	// tags are the tags the event added or removed, sorted.
	tags []string
}

// newPagureEvent finds the parts of a pagure message.
func newPagureEvent(x *extraction) *pagureEvent {
	r := x.root
	p := &pagureEvent{x: x, r: r, ev: strings.TrimPrefix(x.topic, "pagure."), who: x.forgeWho(getString(r, "agent"))}
	for _, k := range [...]string{"pullrequest", "pull_request", "pull-request", "request"} {
		if v, ok := getPath(r, k).(map[string]any); ok {
			p.pr = v
			break
		}
	}
	for _, v := range []any{getPath(r, "project"), getPath(p.pr, "project"), getPath(r, "repo"), getPath(r, "commit", "repo")} {
		if _, ok := v.(map[string]any); ok {
			p.proj = v
			break
		}
	}
	if p.who == "" {
		p.who = "someone"
	}
	p.path, p.base = pagureProject(p.proj)
	p.projURL = p.base + "/" + p.path
	p.issue = getPath(r, "issue")
	p.issueID = scalarString(getPath(p.issue, "id"))
	p.prID = scalarString(getPath(p.pr, "id"))
	p.tags = forgeStrings(getPath(r, "tags"))
	slices.Sort(p.tags)
	return p
}

// projectlessText describes the early messages that name no project: a push by its authors, or
// an event on a ticket.
func (p *pagureEvent) projectlessText() {
	x, r, ev, who := p.x, p.r, p.ev, p.who
	switch {
	case ev == "git.receive":
		pagureAuthorsPush(x)
	case strings.HasPrefix(ev, "issue.") && scalarString(getPath(r, "issue", "id")) != "":
		// Some early messages carry the ticket but not its project.
		x.summary = who + " " + strings.ReplaceAll(strings.TrimPrefix(ev, "issue."), ".", " ") +
			" on ticket #" + scalarString(getPath(r, "issue", "id")) + forgeTitled(getString(r, "issue", "title"))
		if ev == "issue.comment.edited" {
			x.summary = who + " edited a comment on ticket #" + scalarString(getPath(r, "issue", "id")) + forgeTitled(getString(r, "issue", "title"))
		}
		x.url = forgePagure
	}
}

// sentence returns the summary and the page of an event on a known project.
func (p *pagureEvent) sentence() (string, string) {
	ev := p.ev
	switch {
	case strings.HasPrefix(ev, "issue.") && p.issueID != "":
		return p.issueSentence()
	case (strings.HasPrefix(ev, "pull-request.") || strings.HasPrefix(ev, "request.")) && p.prID != "":
		return p.pullRequestSentence()
	case strings.HasPrefix(ev, "commit.flag."):
		return p.commitFlagSentence()
	case strings.HasPrefix(ev, "git."):
		return p.gitSentence()
	}
	return p.projectSentence()
}

// otherSentence is the sentence of an event no other case knows: "who event words on path".
func (p *pagureEvent) otherSentence() (string, string) {
	return p.who + " " + strings.ReplaceAll(p.ev, ".", " ") + " on " + p.path, p.projURL
}

// issueSentence describes an event on a ticket (issue.*).
func (p *pagureEvent) issueSentence() (string, string) {
	r, ev, who, issue, tags, path := p.r, p.ev, p.who, p.issue, p.tags, p.path
	ticket := path + "#" + p.issueID
	s, u := "", p.projURL+"/issue/"+p.issueID
	title := forgeTitled(getString(issue, "title"))
	switch ev {
	case "issue.new":
		s = who + " opened a new ticket " + ticket + title
	case "issue.drop":
		s = who + " deleted ticket " + ticket + title
	case "issue.comment.added":
		s = who + " commented on ticket " + ticket + title
		if id := forgeLastID(getPath(issue, "comments")); id != "" {
			u += "#comment-" + id
		}
	case "issue.comment.edited":
		s = who + " edited a comment on ticket " + ticket + title
		if id := scalarString(getPath(r, "comment", "id")); id != "" {
			u += "#comment-" + id
		}
	case "issue.tag.added":
		s = who + " tagged ticket " + ticket + ": " + series(tags)
	case "issue.tag.removed":
		s = who + " removed the " + series(tags) + " tags from ticket " + ticket
	case "issue.assigned.added":
		s = who + " assigned ticket " + ticket
		if a := getString(issue, "assignee", "name"); a != "" {
			s += " to " + a
		}
	case "issue.assigned.reset":
		s = who + " reset the assignee of ticket " + ticket
	case "issue.dependency.added":
		s = who + " added ticket " + ticket + " as a dependency of ticket " + path + "#" + scalarString(getPath(r, "added_dependency"))
	case "issue.dependency.removed":
		s = who + " removed ticket " + ticket + " as a dependency of ticket " + path + "#" + scalarString(getPath(r, "removed_dependency"))
	case "issue.edit":
		s = p.issueEditSentence(ticket, title)
	default:
		s = who + " " + strings.ReplaceAll(strings.TrimPrefix(ev, "issue."), ".", " ") + " on ticket " + ticket + title
	}
	return s, u
}

// issueEditSentence describes an edit of a ticket by the fields it changed.
func (p *pagureEvent) issueEditSentence(ticket, title string) string {
	fields := forgeStrings(getPath(p.r, "fields"))
	if len(fields) == 1 && fields[0] == "status" {
		return p.who + " set the status of ticket " + ticket + " to: " + getString(p.issue, "status")
	} else if len(fields) > 0 {
		return p.who + " edited the " + series(fields) + " fields of ticket " + ticket + title
	}
	return p.who + " edited ticket " + ticket + title
}

// pullRequestSentence describes an event on a pull request (pull-request.* and the early
// request.*).
func (p *pagureEvent) pullRequestSentence() (string, string) {
	r, ev, who, pr, path, prID := p.r, p.ev, p.who, p.pr, p.path, p.prID
	s, u := "", p.projURL+"/pull-request/"+prID
	title := getString(pr, "title")
	on := " #" + prID + " on " + path
	colon := ""
	if title != "" {
		colon = ": " + title
	}
	sub := ev[strings.IndexByte(ev, '.')+1:]
	switch sub {
	case "new":
		s = who + " opened pull request" + on + colon
	case "closed":
		if merged, _ := getPath(r, "merged").(bool); merged {
			s = who + " merged pull request" + on + colon
		} else {
			s = who + " closed (without merging) pull request" + on + colon
		}
	case "reopened":
		s = who + " reopened pull request" + on + colon
	case "comment.added", "comment.edited":
		s, u = p.pullRequestCommentSentence(sub, on+colon, u)
	case "initial_comment.edited":
		s = who + " edited the description of pull request" + on + colon
	case "updated", "rebased":
		s = "pull-request" + on + " has been " + sub
		if who != "someone" && who != "pagure" {
			s += " by " + who
		}
		s += colon
	case "flag.added":
		s = p.flagger() + " flagged " + path + "#" + prID + " with \"" + getString(r, "flag", "comment") + "\""
	case "flag.updated":
		s = p.flagger() + " updated the flags on " + path + "#" + prID + " with: \"" + getString(r, "flag", "comment") + "\""
	case "tag.added":
		s = who + " tagged pull-request " + path + "#" + prID + ": " + series(p.tags)
	case "tag.removed":
		s = who + " removed the " + series(p.tags) + " tags from pull-request " + path + "#" + prID
	case "assigned.added":
		s = who + " assigned PR " + path + "#" + prID
		if a := getString(pr, "assignee", "name"); a != "" {
			s += " to " + a
		}
	case "assigned.reset":
		s = who + " reset the assignee of PR " + path + "#" + prID
	default:
		s = who + " " + strings.ReplaceAll(sub, ".", " ") + " pull request" + on + colon
	}
	return s, u
}

// pullRequestCommentSentence describes a comment added to (or edited on) a pull request, whose
// page u it anchors at the comment.
func (p *pagureEvent) pullRequestCommentSentence(sub, what, u string) (string, string) {
	verb := " commented on PR"
	if sub == "comment.edited" {
		verb = " edited a comment on PR"
	}
	id := forgeLastID(getPath(p.pr, "comments"))
	if c := scalarString(getPath(p.r, "comment", "id")); c != "" {
		id = c
	}
	if id != "" {
		u += "#comment-" + id
	}
	return p.who + verb + what, u
}

// flagger is who set a flag (a CI system, usually), else who acted.
func (p *pagureEvent) flagger() string {
	if f := getString(p.r, "flag", "username"); f != "" {
		return f
	}
	return p.who
}

// commitFlagSentence describes a flag set on a commit (commit.flag.*).
func (p *pagureEvent) commitFlagSentence() (string, string) {
	hash := getString(p.r, "flag", "commit_hash")
	if hash == "" {
		return "", ""
	}
	verb := " added a flag on the commit "
	if p.ev == "commit.flag.updated" {
		verb = " updated its flag on the commit "
	}
	s := p.flagger() + verb + shortSHA(hash) + " of the project " + p.path
	if st := getString(p.r, "flag", "status"); st != "" {
		s += " (" + st + ")"
	}
	return s, p.projURL + "/c/" + hash
}

// gitSentence describes a push, or a branch or a tag created or deleted (git.*).
func (p *pagureEvent) gitSentence() (string, string) {
	r, ev, who, path, projURL := p.r, p.ev, p.who, p.path, p.projURL
	switch ev {
	case "git.receive":
		return p.pushSentence()
	case "git.branch.creation":
		branch := strings.TrimPrefix(getString(r, "branch"), "refs/heads/")
		return who + " created the branch " + branch + " on " + path, projURL + "/tree/" + branch
	case "git.branch.deletion":
		branch := strings.TrimPrefix(getString(r, "branch"), "refs/heads/")
		return who + " deleted the branch " + branch + " on " + path, projURL + "/branches"
	case "git.tag.creation":
		tag, rev := getString(r, "tag"), shortSHA(getString(r, "rev"))
		return who + " tagged the commit " + rev + " on " + path + " as " + tag, projURL + "/commits/" + tag
	case "git.tag.deletion":
		tag, rev := getString(r, "tag"), shortSHA(getString(r, "rev"))
		return who + " deleted the tag " + tag + " of commit " + rev + " on " + path, projURL + "/releases"
	}
	return p.otherSentence()
}

// pushSentence describes a push: one commit (dist-git's messages) or a count of them.
func (p *pagureEvent) pushSentence() (string, string) {
	r, path, projURL := p.r, p.path, p.projURL
	if c := getPath(r, "commit"); c != nil {
		rev := getString(c, "rev")
		branch := strings.TrimPrefix(getString(c, "branch"), "refs/heads/")
		s := p.x.forgeWho(getString(c, "email")) + " pushed to " + path + " (" + branch + ")" + forgeTitled(getString(c, "summary"))
		if rev != "" {
			return s, projURL + "/c/" + rev
		}
		return s, ""
	}
	branch := strings.TrimPrefix(getString(r, "branch"), "refs/heads/")
	n := scalarString(getPath(r, "total_commits"))
	if n == "" {
		n = "some"
	}
	s := p.who + " pushed " + forgeCommits(n) + " to " + path
	if branch != "" {
		return s + " (" + branch + ")", projURL + "/tree/" + branch
	}
	return s, projURL
}

// projectSentence describes a change to a project itself: created, deleted, forked, edited,
// its users, groups and tags (project.*).
func (p *pagureEvent) projectSentence() (string, string) {
	r, who, path, projURL := p.r, p.who, p.path, p.projURL
	switch p.ev {
	case "project.new":
		return who + " created a new project \"" + path + "\"", projURL
	case "project.deleted":
		return who + " deleted the project \"" + path + "\"", p.base
	case "project.forked":
		if getString(p.proj, "parent", "fullname") == "" {
			return who + " forked " + getString(p.proj, "parent", "name") + " to " + path, projURL
		}
		return who + " forked " + getString(p.proj, "parent", "fullname") + " to " + path, projURL
	case "project.edit":
		if f := forgeStrings(getPath(r, "fields")); len(f) > 0 {
			return who + " edited the " + series(f) + " fields of project " + path, projURL
		}
		return who + " edited project " + path, projURL
	case "project.user.added":
		return who + " added \"" + getString(r, "new_user") + "\" to project " + path + pagureWithAccess(r), projURL
	case "project.user.access.updated":
		return who + " updated access of \"" + getString(r, "new_user") + "\" to " + getString(r, "new_access") + " in project " + path, projURL
	case "project.user.removed":
		return who + " removed \"" + getString(r, "removed_user") + "\" from the project " + path, projURL
	case "project.group.added":
		return who + " added group \"" + getString(r, "new_group") + "\" to project " + path + pagureWithAccess(r), projURL
	case "project.group.access.updated":
		return who + " updated access of group \"" + getString(r, "new_group") + "\" to " + getString(r, "new_access") + " in project " + path, projURL
	case "project.group.removed":
		return who + " removed group \"" + series(forgeStrings(getPath(r, "removed_groups"))) + "\" from the project " + path, projURL
	case "project.tag.edited":
		return who + " altered tags on project " + path + " from \"" + getString(r, "old_tag") + "\" to \"" + getString(r, "new_tag") + "\"", projURL
	case "project.tag.removed":
		return who + " removed tags \"" + series(p.tags) + "\" from project " + path, projURL
	}
	return p.otherSentence()
}

// pagureWithAccess says the access a user or group was added with: " with commit access".
func pagureWithAccess(r any) string {
	if a := getString(r, "access"); a != "" {
		return " with " + a + " access"
	}
	return ""
}

// pagureAuthorsPush describes an early pagure push message that names only its authors and the
// number of commits.
func pagureAuthorsPush(x *extraction) {
	var names []string
	each(getPath(x.root, "authors"), func(a any) {
		n := getString(a, "name")
		if n == "" {
			n = getString(a, "fullname")
		}
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	})
	n := scalarString(getPath(x.root, "total_commits"))
	if len(names) == 0 || n == "" {
		return
	}
	x.summary = series(names) + " pushed " + forgeCommits(n)
}
