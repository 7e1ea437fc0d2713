package message

import (
	"slices"
	"strconv"
	"strings"
)

// This file holds the summaries and URLs of the forge families: pagure.io and dist-git (pagure),
// the legacy dist-git and infrastructure git hooks, GitHub, Forgejo and GitLab (github2fedmsg and
// webhook-to-fedora-messaging), Trac, Bugzilla and Jenkins.

// Production hosts, used when a body does not name its own instance.
const (
	forgePagure     = "https://pagure.io"
	forgeDistgit    = "https://src.fedoraproject.org"
	forgeBugzilla   = "https://bugzilla.redhat.com"
	forgeJenkins    = "https://jenkins.cloud.fedoraproject.org"
	forgeInfraCgit  = "https://infrastructure.fedoraproject.org/cgit"
	forgeHostedCgit = "https://git.fedorahosted.org/cgit"
)

// forgeStrings returns the string elements of a JSON array (or a lone string), in order.
func forgeStrings(v any) []string {
	var out []string
	switch t := v.(type) {
	case string:
		if s := strings.TrimSpace(t); s != "" {
			out = append(out, s)
		}
	case []any:
		for _, e := range t {
			if s := strings.TrimSpace(scalarString(e)); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// forgeFirstLine returns the first line of a commit message, trimmed.
func forgeFirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// forgeCommits says "1 commit" or "n commits".
func forgeCommits(n string) string {
	if n == "1" {
		return "1 commit"
	}
	return n + " commits"
}

// forgeTitled returns `: "s"`, the way a summary ends with an object's title, or "" for no title.
func forgeTitled(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return ""
	}
	return ": \"" + s + "\""
}

// forgeLastID returns the id of the last element of an array of objects (the newest comment).
func forgeLastID(v any) string {
	arr, _ := v.([]any)
	if len(arr) == 0 {
		return ""
	}
	return scalarString(getPath(arr[len(arr)-1], "id"))
}

// forgeWho names the person who acted for a summary: the account when known, else what the body says.
func (x *extraction) forgeWho(raw ...string) string {
	if x.agent != "" {
		return x.agent
	}
	for _, r := range raw {
		if r = strings.TrimSpace(r); r != "" {
			if a := x.account(r); a != "" {
				return a
			}
			return r
		}
	}
	return ""
}

// --- Pagure and dist-git (pagure.io, src.fedoraproject.org) ---

// distgitNamespace reports whether ns is one of dist-git's namespaces, which tells a dist-git
// project from a pagure.io one when the body carries no URL.
func distgitNamespace(ns string) bool {
	switch ns {
	case "rpms", "rpms-checks", "modules", "container", "containers", "docker", "flatpaks", "tests":
		return true
	}
	return false
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
	r := x.root
	ev := strings.TrimPrefix(x.topic, "pagure.")
	who := x.forgeWho(getString(r, "agent"))
	var pr any
	for _, k := range [...]string{"pullrequest", "pull_request", "pull-request", "request"} {
		if v, ok := getPath(r, k).(map[string]any); ok {
			pr = v
			break
		}
	}
	var proj any
	for _, v := range []any{getPath(r, "project"), getPath(pr, "project"), getPath(r, "repo"), getPath(r, "commit", "repo")} {
		if _, ok := v.(map[string]any); ok {
			proj = v
			break
		}
	}
	if who == "" {
		who = "someone"
	}
	path, base := pagureProject(proj)
	if path == "" {
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
		return
	}
	projURL := base + "/" + path
	issue := getPath(r, "issue")
	issueID := scalarString(getPath(issue, "id"))
	prID := scalarString(getPath(pr, "id"))
	ticket := path + "#" + issueID
	tags := forgeStrings(getPath(r, "tags"))
	slices.Sort(tags)
	s, u := "", ""
	switch {
	case strings.HasPrefix(ev, "issue.") && issueID != "":
		u = projURL + "/issue/" + issueID
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
			fields := forgeStrings(getPath(r, "fields"))
			if len(fields) == 1 && fields[0] == "status" {
				s = who + " set the status of ticket " + ticket + " to: " + getString(issue, "status")
			} else if len(fields) > 0 {
				s = who + " edited the " + series(fields) + " fields of ticket " + ticket + title
			} else {
				s = who + " edited ticket " + ticket + title
			}
		default:
			s = who + " " + strings.ReplaceAll(strings.TrimPrefix(ev, "issue."), ".", " ") + " on ticket " + ticket + title
		}
	case (strings.HasPrefix(ev, "pull-request.") || strings.HasPrefix(ev, "request.")) && prID != "":
		u = projURL + "/pull-request/" + prID
		title := getString(pr, "title")
		on := " #" + prID + " on " + path
		colon := ""
		if title != "" {
			colon = ": " + title
		}
		flagger := getString(r, "flag", "username")
		if flagger == "" {
			flagger = who
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
			verb := " commented on PR"
			if sub == "comment.edited" {
				verb = " edited a comment on PR"
			}
			s = who + verb + on + colon
			id := forgeLastID(getPath(pr, "comments"))
			if c := scalarString(getPath(r, "comment", "id")); c != "" {
				id = c
			}
			if id != "" {
				u += "#comment-" + id
			}
		case "initial_comment.edited":
			s = who + " edited the description of pull request" + on + colon
		case "updated", "rebased":
			s = "pull-request" + on + " has been " + sub
			if who != "someone" && who != "pagure" {
				s += " by " + who
			}
			s += colon
		case "flag.added":
			s = flagger + " flagged " + path + "#" + prID + " with \"" + getString(r, "flag", "comment") + "\""
		case "flag.updated":
			s = flagger + " updated the flags on " + path + "#" + prID + " with: \"" + getString(r, "flag", "comment") + "\""
		case "tag.added":
			s = who + " tagged pull-request " + path + "#" + prID + ": " + series(tags)
		case "tag.removed":
			s = who + " removed the " + series(tags) + " tags from pull-request " + path + "#" + prID
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
	case strings.HasPrefix(ev, "commit.flag."):
		hash := getString(r, "flag", "commit_hash")
		flagger := getString(r, "flag", "username")
		if flagger == "" {
			flagger = who
		}
		if hash != "" {
			u = projURL + "/c/" + hash
			verb := " added a flag on the commit "
			if ev == "commit.flag.updated" {
				verb = " updated its flag on the commit "
			}
			s = flagger + verb + shortSHA(hash) + " of the project " + path
			if st := getString(r, "flag", "status"); st != "" {
				s += " (" + st + ")"
			}
		}
	case ev == "git.receive":
		if c := getPath(r, "commit"); c != nil {
			rev := getString(c, "rev")
			branch := strings.TrimPrefix(getString(c, "branch"), "refs/heads/")
			s = x.forgeWho(getString(c, "email")) + " pushed to " + path + " (" + branch + ")" + forgeTitled(getString(c, "summary"))
			if rev != "" {
				u = projURL + "/c/" + rev
			}
		} else {
			branch := strings.TrimPrefix(getString(r, "branch"), "refs/heads/")
			n := scalarString(getPath(r, "total_commits"))
			if n == "" {
				n = "some"
			}
			s = who + " pushed " + forgeCommits(n) + " to " + path
			if branch != "" {
				s += " (" + branch + ")"
				u = projURL + "/tree/" + branch
			} else {
				u = projURL
			}
		}
	case ev == "git.branch.creation" || ev == "git.branch.deletion":
		branch := strings.TrimPrefix(getString(r, "branch"), "refs/heads/")
		if ev == "git.branch.creation" {
			s, u = who+" created the branch "+branch+" on "+path, projURL+"/tree/"+branch
		} else {
			s, u = who+" deleted the branch "+branch+" on "+path, projURL+"/branches"
		}
	case ev == "git.tag.creation" || ev == "git.tag.deletion":
		tag, rev := getString(r, "tag"), shortSHA(getString(r, "rev"))
		if ev == "git.tag.creation" {
			s, u = who+" tagged the commit "+rev+" on "+path+" as "+tag, projURL+"/commits/"+tag
		} else {
			s, u = who+" deleted the tag "+tag+" of commit "+rev+" on "+path, projURL+"/releases"
		}
	case ev == "project.new":
		s, u = who+" created a new project \""+path+"\"", projURL
	case ev == "project.deleted":
		s, u = who+" deleted the project \""+path+"\"", base
	case ev == "project.forked":
		s, u = who+" forked "+getString(proj, "parent", "fullname")+" to "+path, projURL
		if getString(proj, "parent", "fullname") == "" {
			s = who + " forked " + getString(proj, "parent", "name") + " to " + path
		}
	case ev == "project.edit":
		u = projURL
		if f := forgeStrings(getPath(r, "fields")); len(f) > 0 {
			s = who + " edited the " + series(f) + " fields of project " + path
		} else {
			s = who + " edited project " + path
		}
	case ev == "project.user.added":
		u = projURL
		s = who + " added \"" + getString(r, "new_user") + "\" to project " + path
		if a := getString(r, "access"); a != "" {
			s += " with " + a + " access"
		}
	case ev == "project.user.access.updated":
		u = projURL
		s = who + " updated access of \"" + getString(r, "new_user") + "\" to " + getString(r, "new_access") + " in project " + path
	case ev == "project.user.removed":
		u = projURL
		s = who + " removed \"" + getString(r, "removed_user") + "\" from the project " + path
	case ev == "project.group.added":
		u = projURL
		s = who + " added group \"" + getString(r, "new_group") + "\" to project " + path
		if a := getString(r, "access"); a != "" {
			s += " with " + a + " access"
		}
	case ev == "project.group.access.updated":
		u = projURL
		s = who + " updated access of group \"" + getString(r, "new_group") + "\" to " + getString(r, "new_access") + " in project " + path
	case ev == "project.group.removed":
		u = projURL
		s = who + " removed group \"" + series(forgeStrings(getPath(r, "removed_groups"))) + "\" from the project " + path
	case ev == "project.tag.edited":
		u = projURL
		s = who + " altered tags on project " + path + " from \"" + getString(r, "old_tag") + "\" to \"" + getString(r, "new_tag") + "\""
	case ev == "project.tag.removed":
		u = projURL
		s = who + " removed tags \"" + series(tags) + "\" from project " + path
	default:
		u = projURL
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " on " + path
	}
	if u != "" {
		x.url = u
	}
	pagureDetails(x, ev, proj, issue, pr, projURL)
	if strings.TrimSpace(s) != "" && !strings.HasPrefix(s, " ") {
		x.summary = s
	} else if s != "" {
		x.summary = strings.TrimSpace(s)
	}
}

// --- Legacy dist-git hooks (git.*) ---

// distgitText sets the summary and URL of a dist-git message of the fedmsg-era hooks (pushes,
// branches, lookaside uploads, mass branching).
func distgitText(x *extraction) {
	r := x.root
	ev := strings.TrimPrefix(x.topic, "git.")
	agent := x.forgeWho(getString(r, "agent"))
	switch {
	case ev == "receive" || strings.HasPrefix(ev, "receive."):
		c := getPath(r, "commit")
		repo := getString(c, "repo")
		if repo == "" {
			repo = repoFromTopic(x.topic, "git.receive.")
		}
		ns := getString(c, "namespace")
		branch := getString(c, "branch")
		who := x.forgeWho(getString(c, "username"), getString(c, "email"), getString(c, "name"))
		if repo == "" || who == "" {
			return
		}
		where := repo
		if ns != "" {
			where = ns + "/" + repo
		}
		x.summary = who + " pushed to " + where
		if branch != "" {
			x.summary += " (" + branch + ")"
		}
		x.summary += forgeTitled(getString(c, "summary"))
		if u := httpURL(getString(c, "url")); u != "" {
			x.url = u
		} else if rev := getString(c, "rev"); rev != "" {
			if ns == "" {
				ns = "rpms"
			}
			x.url = forgeDistgit + "/" + ns + "/" + repo + "/c/" + rev
			if branch != "" {
				x.url += "?branch=" + branch
			}
		}
		forgeCommitDetails(x, c)
	case ev == "branch" || strings.HasPrefix(ev, "branch."):
		repo, branch := getString(r, "name"), getString(r, "branch")
		if repo == "" {
			if rest, ok := strings.CutPrefix(x.topic, "git.branch."); ok {
				if i := strings.LastIndexByte(rest, '.'); i > 0 {
					repo, branch = rest[:i], rest[i+1:]
				}
			}
		}
		ns := getString(r, "namespace")
		if ns == "" {
			ns = "rpms"
		}
		if repo == "" || branch == "" {
			return
		}
		x.summary = strings.TrimSpace(agent + " created branch '" + branch + "' for the '" + repo + "' package")
		x.url = forgeDistgit + "/" + ns + "/" + repo + "/commits/" + branch
	case strings.HasPrefix(ev, "lookaside."):
		name, file := getString(r, "name"), getString(r, "filename")
		if name == "" || file == "" {
			return
		}
		x.summary = strings.TrimSpace(agent + " uploaded " + file + " for " + name)
		path := getString(r, "path")
		if path == "" {
			if sum := getString(r, "md5sum"); sum != "" {
				path = name + "/" + file + "/" + sum + "/" + file
			}
		}
		if path != "" {
			x.url = forgeDistgit + "/lookaside/pkgs/" + strings.TrimPrefix(path, "/")
		}
	case ev == "mass_branch.start":
		x.summary = strings.TrimSpace(agent + " started a mass branch")
	case ev == "mass_branch.complete":
		x.summary = "mass branch started by " + agent + " completed"
	case ev == "pkgdb2branch.start":
		x.summary = strings.TrimSpace(agent + " started a run of pkgdb2branch")
	case ev == "pkgdb2branch.complete":
		x.summary = "run of pkgdb2branch started by " + agent + " completed"
		switch n := len(forgeStrings(getPath(r, "unbranchedPackages"))); n {
		case 0:
		case 1:
			x.summary += " with 1 error"
		default:
			x.summary += " with " + itoa(n) + " errors"
		}
		if b := forgeStrings(getPath(r, "branchedPackages")); len(b) > 0 && len(b) <= 3 {
			x.summary += " (branched " + series(b) + ")"
		} else if len(b) > 3 {
			x.detail("Branched", strings.Join(b, ", "))
		}
		x.detail("Not branched", strings.Join(forgeStrings(getPath(r, "unbranchedPackages")), ", "))
	}
}

// --- Fedora Infrastructure git (infragit) ---

// infragitText sets the summary and URL of a push to an infrastructure repository.
func infragitText(x *extraction) {
	c := getPath(x.root, "commit")
	repo := getString(c, "repo")
	if p := strings.TrimSuffix(strings.TrimSuffix(getString(c, "path"), "/"), ".git"); p != "" {
		repo = p[strings.LastIndexByte(p, '/')+1:]
	}
	who := x.forgeWho(getString(c, "username"), getString(c, "email"))
	if repo == "" || who == "" {
		return
	}
	branch := getString(c, "branch")
	x.summary = who + " pushed a commit to the fedora-infra " + repo + " repo"
	if branch != "" {
		x.summary += " (" + branch + ")"
	}
	x.summary += forgeTitled(getString(c, "summary"))
	if rev := getString(c, "rev"); rev != "" && repo != "puppet" {
		x.url = forgeInfraCgit + "/" + repo + ".git/commit/?"
		if branch != "" {
			x.url += "h=" + branch + "&"
		}
		x.url += "id=" + rev
	}
	forgeCommitDetails(x, c)
}

// --- Jenkins ---

// jenkinsText sets the summary and URL of a Jenkins build result.
func jenkinsText(x *extraction) {
	project := getString(x.root, "project")
	if project == "" {
		return
	}
	build := scalarString(getPath(x.root, "build"))
	var outcome string
	switch strings.TrimPrefix(x.topic, "jenkins.build.") {
	case "passed":
		outcome = "built successfully"
	case "failed":
		outcome = "failed to build"
	case "unstable":
		outcome = "built with warnings"
	case "notbuilt":
		outcome = "did not build"
	case "aborted":
		outcome = "build aborted"
	case "start":
		outcome = "started building"
	case "unknown":
		outcome = "entered an unknown state"
	default:
		outcome = strings.ReplaceAll(strings.TrimPrefix(x.topic, "jenkins."), ".", " ")
	}
	x.summary = "Jenkins project '" + project + "' " + outcome
	if build != "" {
		x.summary += " (build #" + build + ")"
		x.url = forgeJenkins + "/job/" + project + "/" + build + "/"
	}
	x.detail("Duration", getString(x.root, "took"))
}

// --- Trac (fedorahosted.org) ---

// tracText sets the summary and URL of a Trac ticket, wiki or git message.
func tracText(x *extraction) {
	r := x.root
	who := x.forgeWho(getString(r, "agent"), getString(r, "commit", "username"))
	project := getString(r, "instance", "project_name")
	base := strings.TrimRight(httpURL(getString(r, "instance", "base_url")), "/")
	on := ""
	if project != "" {
		on = " on the " + project + " trac instance"
	}
	ev := strings.TrimPrefix(x.topic, "trac.")
	switch {
	case strings.HasPrefix(ev, "ticket."):
		t := getPath(r, "ticket")
		id := scalarString(getPath(t, "id"))
		title := forgeTitled(getString(t, "summary"))
		ticket := "ticket #" + id
		switch ev {
		case "ticket.new":
			x.summary = who + " opened a new " + ticket + on + title
		case "ticket.delete":
			x.summary = who + " deleted " + ticket + on + title
		case "ticket.update":
			status := getString(t, "status")
			_, changed := getPath(r, "old_values").(map[string]any)
			changed = changed && has(r, "old_values", "status")
			switch {
			case status == "reopened" && changed:
				x.summary = who + " reopened " + ticket + on + title
			case status == "closed" && changed:
				x.summary = who + " closed " + ticket + on + " as '" + getString(t, "resolution") + "'" + title
			default:
				x.summary = who + " updated " + ticket + on + title
			}
		default:
			x.summary = who + " " + strings.ReplaceAll(ev, ".", " ") + " " + id + on + title
		}
		if base != "" && id != "" {
			x.url = base + "/ticket/" + id
		}
		tracTicketDetails(x, ev, t)
	case strings.HasPrefix(ev, "wiki.page."):
		name := getString(r, "page", "name")
		page := "the '" + name + "' wiki page"
		switch ev {
		case "wiki.page.version.delete":
			x.summary = who + " deleted a version of " + page + on
		case "wiki.page.delete":
			x.summary = who + " deleted " + page + on
		case "wiki.page.rename":
			x.summary = who + " renamed the wiki page '" + getString(r, "old_name") + "' to '" + name + "'" + on
		case "wiki.page.update":
			x.summary = who + " updated " + page + on
		case "wiki.page.new":
			x.summary = who + " created a new '" + name + "' wiki page" + on
		default:
			x.summary = who + " " + strings.ReplaceAll(ev, ".", " ") + " " + page + on
		}
		if base != "" && name != "" {
			x.url = base + "/wiki/" + name
			v := scalarString(getPath(r, "page", "version"))
			if v != "" && v != "0" && ev != "wiki.page.rename" && ev != "wiki.page.new" {
				x.url += "?action=diff&version=" + v
			}
		}
		x.detailText("Comment", getString(r, "page", "comment"))
	case strings.HasSuffix(ev, "git.receive"):
		c := getPath(r, "commit")
		repo := getString(c, "repo")
		if p, ok := strings.CutPrefix(getString(c, "path"), "/srv/git/"); ok {
			repo, _, _ = strings.Cut(p, ".git")
		}
		if repo == "" {
			return
		}
		x.summary = who + " pushed some commits to the '" + repo + "' fedorahosted git repository"
		if b := getString(c, "branch"); b != "" {
			x.summary += " (" + b + ")"
		}
		x.summary += forgeTitled(getString(c, "summary"))
		if rev := getString(c, "rev"); rev != "" {
			suffix := ".git"
			if hostedShortRepo(repo) {
				suffix = ""
			}
			x.url = forgeHostedCgit + "/" + repo + suffix + "/commit/?id=" + rev
		}
		forgeCommitDetails(x, c)
	}
	x.summary = strings.TrimSpace(x.summary)
}

// hostedShortRepo reports whether a fedorahosted repository's cgit address has no ".git" suffix.
func hostedShortRepo(name string) bool {
	short := [...]string{
		"389", "aeolus", "bluecurve", "bluecurve-classic-metacity-theme", "bluecurve-gdm-theme",
		"bluecurve-gnome-theme", "bluecurve-gtk-themes", "bluecurve-icon-theme", "bluecurve-kde-theme",
		"bluecurve-kdm-theme", "bluecurve-kwin-theme", "bluecurve-metacity-theme", "bluecurve-qt-engine",
		"bluecurve-xmms-skin", "cobbler", "deltacloud", "docs", "echo-icon-theme", "fedorabubbles-gdm-theme",
		"fedoradna-gdm-theme", "fedoradna-kdm-theme", "fedoraflyinghigh-gdm-theme", "fedoraflyinghigh-kdm-theme",
		"fedora-gnome-theme", "fedora-icon-theme", "fedorainfinity-gdm-theme", "fedorainfinity-screensaver-theme",
		"fedora-screensaver-theme", "freeotp", "grid", "koji", "l10n", "livecd", "mash", "mirrormanager",
		"mkinitrd", "nodoka", "opyum", "ovirt", "presto", "readahead", "redhat-rpm-config", "releng",
		"revisor", "rhq", "snake", "thetango", "thincrust", "umltester", "updatinator", "webauthinfra", "wevisor",
	}
	return slices.Contains(short[:], name)
}

// --- Bugzilla ---

// bugzillaText sets the summary of a Red Hat Bugzilla message: who filed, commented on or changed
// which fields of which bug.
func bugzillaText(x *extraction) {
	r := x.root
	bug := getPath(r, "bug")
	id := scalarString(getPath(bug, "id"))
	if id == "" {
		return
	}
	var who string
	for _, k := range [...][]string{
		{"comment", "author"}, {"comment", "creator"}, {"comment", "author", "login"},
		{"event", "who"}, {"event", "user", "login"}, {"bug", "creator"}, {"bug", "creator", "login"},
	} {
		if who = getString(r, k...); who != "" {
			break
		}
	}
	if a := x.account(who); a != "" {
		who = a
	}
	if who == "" {
		who = "someone"
	}
	title := getString(bug, "summary")
	title = shorten(title, 80)
	ref := "RHBZ#" + id
	if title != "" {
		ref += " '" + title + "'"
	}
	if u := httpURL(getString(bug, "weburl")); u != "" {
		x.url = u
	} else {
		x.url = forgeBugzilla + "/show_bug.cgi?id=" + id
	}
	ev := getPath(r, "event")
	switch {
	case strings.HasSuffix(x.topic, "bug.new") ||
		(getString(ev, "target") == "bug" && getString(ev, "action") == "create"):
		x.summary = who + " filed a new bug " + ref
	case getPath(r, "comment") != nil && (getString(r, "comment", "author") != "" || getString(r, "comment", "creator") != ""):
		x.summary = who + " commented on " + ref
	default:
		var fields []string
		each(getPath(ev, "changes"), func(c any) {
			if f := getString(c, "field_name"); f != "" {
				fields = append(fields, "'"+f+"'")
			}
		})
		if len(fields) > 2 {
			x.summary = who + " updated " + strings.Join(fields[:len(fields)-1], ", ") + ", and " + fields[len(fields)-1] + " on " + ref
		} else if len(fields) > 0 {
			x.summary = who + " updated " + series(fields) + " on " + ref
		} else {
			x.summary = who + " updated " + ref
		}
	}
	bugzillaDetails(x, bug, title != getString(bug, "summary"))
}

// --- GitHub (github2fedmsg, fedmsg era) ---

// githubUser returns who acted in a github2fedmsg message, as its Fedora account when
// fas_usernames maps the GitHub login, else the login.
func githubUser(r any) string {
	login := ""
	switch {
	case getString(r, "commit", "author", "login") != "":
		login = getString(r, "commit", "author", "login")
	case getString(r, "pusher", "name") != "":
		login = getString(r, "pusher", "name")
	case getString(r, "sender", "login") != "":
		login = getString(r, "sender", "login")
	case getString(r, "forkee", "owner", "login") != "":
		login = getString(r, "forkee", "owner", "login")
	}
	if fas := getString(r, "fas_usernames", login); fas != "" && !strings.HasPrefix(fas, "github_org_") {
		return fas
	}
	return login
}

// githubRepo returns owner/name of the repository a GitHub payload is about.
func githubRepo(r any) string {
	if fn := getString(r, "repository", "full_name"); fn != "" {
		return fn
	}
	owner := getString(r, "repository", "owner", "login")
	if owner == "" {
		owner = getString(r, "repository", "owner", "name")
	}
	if name := getString(r, "repository", "name"); owner != "" && name != "" {
		return owner + "/" + name
	}
	return getString(r, "name")
}

// githubAction puts a webhook action in the past tense of a sentence.
func githubAction(a string) string {
	switch a {
	case "synchronize":
		return "synchronized"
	case "ready_for_review":
		return "marked as ready for review"
	case "review_requested":
		return "requested a review of"
	case "created":
		return "commented on"
	}
	return strings.ReplaceAll(a, "_", " ")
}

// githubText sets the summary and URL of a github2fedmsg message.
func githubText(x *extraction) {
	r := x.root
	ev := strings.TrimPrefix(x.topic, "github.")
	user, repo := githubUser(r), githubRepo(r)
	action := getString(r, "action")
	num := scalarString(getPath(r, "number"))
	if num == "" {
		num = scalarString(getPath(r, "pull_request", "number"))
	}
	if num == "" {
		num = scalarString(getPath(r, "issue", "number"))
	}
	repoURL := httpURL(getString(r, "repository", "html_url"))
	s := ""
	switch {
	case ev == "webhook":
		s = "A new GitHub repository has been added to fedmsg"
		if repo != "" {
			s = "The GitHub repository " + repo + " has been added to fedmsg"
		}
	case ev == "deployment_status":
		s = user + "'s deployment status for " + repo + " updated to \"" + getString(r, "deployment_status", "state") + "\""
	case ev == "push":
		n := 0
		each(getPath(r, "commits"), func(any) { n++ })
		s = user + " pushed " + forgeCommits(itoa(n)) + " to " + repo
		if b := strings.TrimPrefix(getString(r, "ref"), "refs/heads/"); b != "" {
			s += " (" + b + ")"
		}
	case strings.HasPrefix(ev, "pull_request.") || ev == "pull_request":
		a := action
		if a == "closed" && getPath(r, "pull_request", "merged") == true {
			a = "merged"
		}
		s = user + " " + githubAction(a) + " pull request #" + num + " on " + repo
		if t := getString(r, "pull_request", "title"); t != "" {
			s += ": " + t
		}
	case strings.HasPrefix(ev, "issue.") || ev == "issues" || ev == "issue_comment":
		switch {
		case getPath(r, "comment") != nil:
			s = user + " commented on issue #" + num + " on " + repo + forgeTitled(getString(r, "issue", "title"))
		case action == "labeled":
			s = user + " added label " + getString(r, "label", "name") + " to issue #" + num + " on " + repo
		case action == "unlabeled":
			s = user + " removed label " + getString(r, "label", "name") + " from issue #" + num + " on " + repo
		case action == "opened" || action == "reopened":
			s = user + " " + action + " issue #" + num + " on " + repo + ": " + getString(r, "issue", "title")
		default:
			s = user + " " + githubAction(action) + " issue #" + num + " on " + repo
		}
	case ev == "pull_request_review":
		on := " on PR #" + num + " on " + repo
		switch st := getString(r, "review", "state"); st {
		case "approved":
			s = user + " approved the changes" + on
		case "changes_requested":
			s = user + " requested changes" + on
		case "pending":
			s = user + " commented" + on + " which is in pending state"
		default:
			s = user + " commented" + on
		}
	case ev == "pull_request_review_comment":
		s = user + " commented on PR #" + num + " on " + repo + forgeTitled(getString(r, "pull_request", "title"))
	case ev == "commit_comment":
		s = user + " commented on a commit on " + repo
	case ev == "create":
		s = user + " created a new " + getString(r, "ref_type") + " \"" + getString(r, "ref") + "\" at " + repo
	case ev == "delete":
		s = user + " deleted the \"" + getString(r, "ref") + "\" " + getString(r, "ref_type") + " at " + repo
	case ev == "fork":
		s = user + " forked " + repo
		if f := getString(r, "forkee", "full_name"); f != "" {
			s += " to " + f
		}
	case ev == "status":
		what := getString(r, "description")
		if c := getString(r, "context"); c != "" && c != "default" {
			what = c + ": " + what
		}
		s = what + " for " + repo + " " + shortSHA(getString(r, "sha"))
		if st := getString(r, "state"); st != "" && !strings.Contains(strings.ToLower(what), st) {
			s += " (" + st + ")"
		}
	case ev == "watch":
		s = user + " " + action + " watching " + repo
		if repoURL != "" {
			x.url = repoURL + "/watchers"
		}
	case ev == "star":
		verb := "starred"
		if action == "deleted" {
			verb = "unstarred"
		}
		s = user + " " + verb + " " + repo
		if repoURL != "" {
			x.url = repoURL + "/stargazers"
		}
	case ev == "release":
		s = user + " cut a release of " + repo + ", version " + getString(r, "release", "tag_name")
	case ev == "page_build":
		s = user + " rebuilt the github.io page for " + repo
		if owner, name, ok := strings.Cut(repo, "/"); ok {
			x.url = "https://" + owner + ".github.io/" + name + "/"
		}
	case ev == "team_add":
		s = "The '" + getString(r, "team", "slug") + "' team was added to the " + repo + " repository"
	case ev == "member":
		if action == "added" {
			s = user + " added " + getString(r, "member", "login") + " as a member of " + repo
		} else {
			s = user + " removed member " + getString(r, "member", "login") + " from " + repo
		}
	case repo != "":
		s = user + " " + strings.ReplaceAll(ev, ".", " ") + " on " + repo
	}
	x.summary = strings.TrimSpace(s)
	if x.url == "" {
		x.url = githubLink(r, repoURL)
	}
	githubDetails(x, r)
}

// githubLink returns the page a GitHub payload is about: the deployment, release, status target,
// comparison, comment, review, pull request, issue, fork or repository.
func githubLink(r any, repoURL string) string {
	for _, k := range [...][]string{
		{"deployment_status", "target_url"}, {"release", "html_url"}, {"target_url"}, {"compare"},
		{"compare_url"}, {"comment", "html_url"}, {"review", "html_url"}, {"pull_request", "html_url"},
		{"issue", "html_url"}, {"forkee", "html_url"}, {"commit", "html_url"},
	} {
		if u := httpURL(getString(r, k...)); u != "" {
			return u
		}
	}
	return repoURL
}

// --- Webhooks (webhook-to-fedora-messaging: GitHub, Forgejo, GitLab) ---

// webhookText sets the summary and URL of a forge webhook relayed by webhook-to-fedora-messaging:
// the Fedora account it is relayed for, then what happened on which repository.
func webhookText(x *extraction) {
	p := getPath(x.body, "body")
	if _, ok := p.(map[string]any); !ok {
		return
	}
	app, ev, _ := strings.Cut(x.topic, ".")
	who := x.forgeWho(getString(x.body, "agent"))
	if who == "" {
		who = getString(p, "sender", "login")
	}
	if who == "" {
		who = getString(p, "user", "username")
	}
	if app == "gitlab" || getString(p, "object_kind") != "" {
		gitlabText(x, p, who)
		return
	}
	repo := githubRepo(p)
	if repo == "" {
		repo = getString(p, "run", "repository", "full_name")
	}
	action := getString(p, "action")
	num := scalarString(getPath(p, "number"))
	s := ""
	switch {
	case getString(p, "review", "state") != "" && has(p, "pull_request"):
		on := " pull request #" + scalarString(getPath(p, "pull_request", "number")) + " on " + repo + forgeTitled(getString(p, "pull_request", "title"))
		switch getString(p, "review", "state") {
		case "approved":
			s = who + " approved" + on
		case "changes_requested":
			s = who + " requested changes on" + on
		default:
			s = who + " reviewed" + on
		}
	case ev == "star" || ev == "watch":
		verb := "starred"
		if ev == "watch" {
			verb = "started watching"
		}
		if action == "deleted" {
			verb = "unstarred"
		}
		s = who + " " + verb + " " + repo
	case has(p, "pull_request") && getPath(p, "pull_request", "title") != nil && ev != "issue_comment":
		a := action
		if a == "closed" && getPath(p, "pull_request", "merged") == true {
			a = "merged"
		}
		if num == "" {
			num = scalarString(getPath(p, "pull_request", "number"))
		}
		s = who + " " + githubAction(a) + " pull request #" + num + " on " + repo + forgeTitled(getString(p, "pull_request", "title"))
	case has(p, "comment") && has(p, "issue"):
		kind := "issue"
		if pr := getPath(p, "issue", "pull_request"); pr != nil && pr != "" {
			kind = "pull request"
		}
		verb := "commented on"
		switch action {
		case "edited":
			verb = "edited a comment on"
		case "deleted":
			verb = "deleted a comment on"
		}
		s = who + " " + verb + " " + kind + " #" + scalarString(getPath(p, "issue", "number")) + " on " + repo + forgeTitled(getString(p, "issue", "title"))
	case has(p, "issue"):
		s = who + " " + githubAction(action) + " issue #" + scalarString(getPath(p, "issue", "number")) + " on " + repo + forgeTitled(getString(p, "issue", "title"))
	case has(p, "run"):
		run := getPath(p, "run")
		var outcome string
		switch action {
		case "success":
			outcome = "succeeded"
		case "failure":
			outcome = "failed"
		case "cancelled":
			outcome = "was cancelled"
		case "recover":
			outcome = "succeeded again after a failure"
		default:
			outcome = githubAction(action)
		}
		s = who + "'s workflow run \"" + getString(run, "title") + "\" on " + repo
		if ref := getString(run, "prettyref"); ref != "" {
			s += " (" + ref + ")"
		}
		s += " " + outcome
		x.url = httpURL(getString(run, "html_url"))
	case has(p, "ref") && has(p, "commits"):
		n := scalarString(getPath(p, "total_commits"))
		if n == "" {
			c := 0
			each(getPath(p, "commits"), func(any) { c++ })
			n = itoa(c)
		}
		s = who + " pushed " + forgeCommits(n) + " to " + repo
		if b := strings.TrimPrefix(getString(p, "ref"), "refs/heads/"); b != "" {
			s += " (" + b + ")"
		}
		s += forgeTitled(forgeFirstLine(getString(p, "head_commit", "message")))
	case has(p, "forkee"):
		// GitHub sends the parent as the repository and the fork as the forkee; Forgejo the reverse.
		parent, fork := repo, getString(p, "forkee", "full_name")
		forkURL := httpURL(getString(p, "forkee", "html_url"))
		if getPath(p, "repository", "fork") == true && getPath(p, "forkee", "fork") != true {
			parent, fork = fork, repo
			forkURL = httpURL(getString(p, "repository", "html_url"))
		}
		s = who + " forked " + parent + " to " + fork
		x.url = forkURL
	case has(p, "release"):
		s = who + " " + githubAction(action) + " release " + getString(p, "release", "tag_name") + " of " + repo
	case has(p, "ref_type"):
		verb := "created"
		if ev == "delete" {
			verb = "deleted"
		}
		s = who + " " + verb + " " + getString(p, "ref_type") + " \"" + getString(p, "ref") + "\" on " + repo
	case repo != "":
		s = who + " " + strings.ReplaceAll(ev, "_", " ") + " on " + repo
	}
	if s != "" {
		x.summary = strings.TrimSpace(s)
	}
	if x.url == "" {
		x.url = githubLink(p, httpURL(getString(p, "repository", "html_url")))
	}
	githubDetails(x, p)
}

// gitlabText sets the summary and URL of a GitLab webhook (object_kind push, issue, merge_request,
// note, pipeline, tag_push and others).
func gitlabText(x *extraction, p any, who string) {
	repo := getString(p, "project", "path_with_namespace")
	if repo == "" {
		repo = getString(p, "repository", "name")
	}
	oa := getPath(p, "object_attributes")
	action := getString(oa, "action")
	past := gitlabAction(action)
	s := ""
	kind := getString(p, "object_kind")
	if kind != "tag_push" && has(p, "ref") && has(p, "commits") {
		kind = "push" // relayed "misc" hooks carry pushes too
	}
	switch kind {
	case "push", "tag_push":
		n := scalarString(getPath(p, "total_commits_count"))
		ref := getString(p, "ref")
		if kind == "tag_push" {
			s = who + " pushed tag " + strings.TrimPrefix(ref, "refs/tags/") + " to " + repo
			break
		}
		s = who + " pushed " + forgeCommits(n) + " to " + repo
		if b := strings.TrimPrefix(ref, "refs/heads/"); b != "" {
			s += " (" + b + ")"
		}
		var last any
		each(getPath(p, "commits"), func(c any) { last = c })
		s += forgeTitled(forgeFirstLine(getString(last, "title")))
		x.url = httpURL(getString(last, "url"))
	case "issue":
		s = who + " " + past + " issue #" + scalarString(getPath(oa, "iid")) + " on " + repo + forgeTitled(getString(oa, "title"))
	case "merge_request":
		s = who + " " + past + " merge request !" + scalarString(getPath(oa, "iid")) + " on " + repo + forgeTitled(getString(oa, "title"))
	case "note":
		var what string
		switch getString(oa, "noteable_type") {
		case "Issue":
			what = "issue #" + scalarString(getPath(p, "issue", "iid")) + " on " + repo + forgeTitled(getString(p, "issue", "title"))
		case "MergeRequest":
			what = "merge request !" + scalarString(getPath(p, "merge_request", "iid")) + " on " + repo + forgeTitled(getString(p, "merge_request", "title"))
		case "Commit":
			what = "commit " + shortSHA(getString(p, "commit", "id")) + " on " + repo
		default:
			what = "a snippet on " + repo
		}
		s = who + " commented on " + what
	case "pipeline":
		s = who + "'s pipeline #" + scalarString(getPath(oa, "id")) + " on " + repo + " (" + getString(oa, "ref") + ") is " + getString(oa, "status")
	default:
		if repo != "" {
			s = who + " " + strings.ReplaceAll(kind, "_", " ") + " on " + repo
		}
	}
	if s != "" {
		x.summary = strings.TrimSpace(s)
	}
	if x.url == "" {
		x.url = httpURL(getString(oa, "url"))
	}
	if x.url == "" {
		x.url = httpURL(getString(p, "project", "web_url"))
	}
	if x.url == "" {
		x.url = httpURL(getString(p, "project", "homepage"))
	}
	gitlabDetails(x, p, kind)
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

// gitlabAction puts a GitLab object action ("open", "merge", "approval") in the past tense.
func gitlabAction(a string) string {
	switch a {
	case "open", "close", "reopen", "update", "merge":
		return strings.TrimSuffix(a, "e") + "ed"
	case "approval", "approved":
		return "approved"
	case "unapproval", "unapproved":
		return "unapproved"
	}
	return githubAction(a)
}

// --- Long forms (details) ---

// forgeMaxCommits is how many commits of a push the long form lists one by one.
const forgeMaxCommits = 5

// forgeZeroSHA reports whether s is empty or git's all-zero object name (no commit: a new or
// deleted branch).
func forgeZeroSHA(s string) bool {
	return strings.Trim(s, "0") == ""
}

// forgeMessageBody returns a commit message without its subject line (what the summary does not
// already say) and without its sign-off trailers ("Signed-off-by: …"), trimmed.
func forgeMessageBody(s string) string {
	_, body, _ := strings.Cut(strings.TrimSpace(s), "\n")
	lines := strings.Split(body, "\n")
	out := lines[:0]
	for _, l := range lines {
		key, _, ok := strings.Cut(strings.TrimSpace(l), ": ")
		if ok && !strings.ContainsAny(key, " \t") && strings.HasSuffix(strings.ToLower(key), "-by") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// forgeName returns a value that is either a string or an object with a name ("NEW" or
// {"id": 1, "name": "NEW"}, as Bugzilla's two message versions put it).
func forgeName(v any) string {
	if s := scalarString(v); s != "" {
		return s
	}
	return getString(v, "name")
}

// forgeNames returns the names (or titles) of an array of label objects, in order.
func forgeNames(v any, key string) []string {
	var out []string
	each(v, func(e any) {
		if s := getString(e, key); s != "" {
			out = append(out, s)
		} else if s := scalarString(e); s != "" {
			out = append(out, s)
		}
	})
	return out
}

// forgeArrow says "from → to", or just one side when the other is unknown.
func forgeArrow(from, to string) string {
	switch {
	case from == "":
		return to
	case to == "":
		return from
	}
	return from + " → " + to
}

// forgeCommitDetails adds what a fedmsg-era git hook says of one commit beyond its subject: the
// rest of its message and the files it changed with their line counts.
func forgeCommitDetails(x *extraction, c any) {
	files, _ := getPath(c, "stats", "files").(map[string]any)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var parts []string
	for i, n := range names {
		if i == 10 {
			parts = append(parts, "and "+itoa(len(names)-10)+" more")
			break
		}
		f := files[n]
		ins := scalarString(getPath(f, "insertions"))
		if ins == "" {
			ins = scalarString(getPath(f, "additions"))
		}
		del := scalarString(getPath(f, "deletions"))
		if ins != "" || del != "" {
			n += " (+" + ins + " −" + del + ")"
		}
		parts = append(parts, n)
	}
	x.detail("Files", strings.Join(parts, ", "))
	x.detailText("Message", forgeMessageBody(getString(c, "message")))
}

// forgePushCommits lists the commits of a webhook push (GitHub, Forgejo, GitLab), newest last:
// each subject with a link to the commit, then how many more there are. A push of one commit
// whose subject the summary quotes gets the rest of its message instead.
func forgePushCommits(x *extraction, commits any, total int) {
	arr, _ := commits.([]any)
	if total < len(arr) {
		total = len(arr)
	}
	if len(arr) == 1 && total == 1 {
		subject := getString(arr[0], "title")
		if subject == "" {
			subject = forgeFirstLine(getString(arr[0], "message"))
		}
		if subject != "" && strings.Contains(x.summary, subject) {
			x.detailText("Message", forgeMessageBody(getString(arr[0], "message")))
			return
		}
	}
	start := 0
	if len(arr) > forgeMaxCommits {
		start = len(arr) - forgeMaxCommits
	}
	for _, c := range arr[start:] {
		subject := getString(c, "title")
		if subject == "" {
			subject = forgeFirstLine(getString(c, "message"))
		}
		x.detailLink("Commit", strings.TrimSpace(shortSHA(getString(c, "id"))+" "+subject), httpURL(getString(c, "url")))
	}
	if n := total - (len(arr) - start); n > 0 && len(arr) > 0 {
		x.detail("Commits", "and "+itoa(n)+" more")
	}
}

// forgePushKind says what kind of push a webhook reports when it is not a plain one: forced, a
// new branch, a deleted branch.
func forgePushKind(p any) string {
	switch {
	case getPath(p, "forced") == true:
		return "forced (history rewritten)"
	case getPath(p, "deleted") == true:
		return "branch deleted"
	case getPath(p, "created") == true:
		return "new branch"
	}
	return ""
}

// pagureComment returns the text of the newest comment of an array of pagure comments and,
// when it was made on a line of a file, where.
func pagureComment(v any) (string, string) {
	arr, _ := v.([]any)
	if len(arr) == 0 {
		return "", ""
	}
	c := arr[len(arr)-1]
	return getString(c, "comment"), pagureCommentPlace(c)
}

// pagureCommentPlace says where an inline pull-request comment sits: "file, line 5".
func pagureCommentPlace(c any) string {
	f := getString(c, "filename")
	if f == "" {
		return ""
	}
	if l := scalarString(getPath(c, "line")); l != "" {
		f += ", line " + l
	}
	return f
}

// pagureIssueStatus says an issue's status with its close status: "Closed (Fixed)".
func pagureIssueStatus(issue any) string {
	st := getString(issue, "status")
	if cs := getString(issue, "close_status"); cs != "" && st != "" && cs != st {
		st += " (" + cs + ")"
	}
	return st
}

// pagurePRStatus says a pull request's status; early messages give a boolean (open or not).
func pagurePRStatus(r, pr any) string {
	switch v := getPath(pr, "status").(type) {
	case string:
		return strings.TrimSpace(v)
	case bool:
		if v {
			return "Open"
		}
		if getPath(r, "merged") == true {
			return "Merged"
		}
		return "Closed"
	}
	return ""
}

// pagurePRBranch says which branch a pull request merges into which: "fork/me/test:feature →
// master" (the source project is named when it is not the target).
func pagurePRBranch(pr any, path string) string {
	from := getString(pr, "branch_from")
	if src, _ := pagureProject(getPath(pr, "repo_from")); src != "" && src != path && from != "" {
		from = src + ":" + from
	}
	return forgeArrow(from, getString(pr, "branch"))
}

// pagureDetails adds the long form of a pagure.io or dist-git message: the comment, status and
// branches of tickets and pull requests, the result of flags, the commits and files of pushes.
func pagureDetails(x *extraction, ev string, proj, issue, pr any, projURL string) {
	r := x.root
	path, _ := pagureProject(proj)
	switch {
	case strings.HasPrefix(ev, "issue.") && issue != nil:
		if getPath(issue, "private") == true {
			// A private ticket's text is for its project's members only.
			x.detail("Status", pagureIssueStatus(issue))
			return
		}
		switch ev {
		case "issue.new":
			x.detail("Tags", strings.Join(forgeStrings(getPath(issue, "tags")), ", "))
			x.detailText("Description", getString(issue, "content"))
		case "issue.comment.added":
			x.detail("Status", pagureIssueStatus(issue))
			text, _ := pagureComment(getPath(issue, "comments"))
			x.detailText("Comment", text)
		case "issue.comment.edited":
			x.detail("Status", pagureIssueStatus(issue))
			x.detailText("Comment", getString(r, "comment", "comment"))
		case "issue.edit":
			if f := forgeStrings(getPath(r, "fields")); len(f) != 1 || f[0] != "status" {
				x.detail("Status", pagureIssueStatus(issue))
			}
		default:
			x.detail("Status", pagureIssueStatus(issue))
		}
	case (strings.HasPrefix(ev, "pull-request.") || strings.HasPrefix(ev, "request.")) && pr != nil:
		sub := ev[strings.IndexByte(ev, '.')+1:]
		branch := pagurePRBranch(pr, path)
		switch sub {
		case "new":
			x.detail("Branch", branch)
			x.detailText("Description", getString(pr, "initial_comment"))
		case "initial_comment.edited":
			x.detail("Branch", branch)
			x.detailText("Description", getString(pr, "initial_comment"))
		case "closed", "reopened":
			x.detail("Branch", branch)
		case "comment.added", "comment.edited":
			text, place := pagureComment(getPath(pr, "comments"))
			if c := getPath(r, "comment"); c != nil {
				text, place = getString(c, "comment"), pagureCommentPlace(c)
			}
			x.detail("Branch", branch)
			x.detail("Status", pagurePRStatus(r, pr))
			x.detail("File", place)
			x.detailText("Comment", text)
		case "flag.added", "flag.updated":
			pagureFlagDetails(x, getPath(r, "flag"), true)
			x.detail("Branch", branch)
		default:
			x.detail("Branch", branch)
			x.detail("Status", pagurePRStatus(r, pr))
		}
	case strings.HasPrefix(ev, "commit.flag."):
		pagureFlagDetails(x, getPath(r, "flag"), false)
	case ev == "git.receive":
		if c := getPath(r, "commit"); c != nil {
			forgeCommitDetails(x, c)
			return
		}
		pagurePushDetails(x, projURL)
	case ev == "project.new" || ev == "project.forked":
		x.detail("Description", getString(proj, "description"))
	}
}

// pagureFlagDetails adds a CI flag's result linked to its page; onPR says the summary already
// quotes the flag's comment (pull-request flags), else it is added too (commit flags, whose
// summary gives the status instead).
func pagureFlagDetails(x *extraction, flag any, onPR bool) {
	u := httpURL(getString(flag, "url"))
	res := ""
	if onPR {
		res = getString(flag, "status")
	}
	if p := scalarString(getPath(flag, "percent")); p != "" {
		res = strings.TrimSpace(res + " " + p + "%")
	}
	if !onPR {
		x.detailLink("Flag", getString(flag, "comment"), u)
		u = ""
	}
	x.detailLink("Result", res, u)
}

// pagurePushDetails adds the long form of a pagure push: the range of commits linked to their
// comparison, whether it was forced, and the files it changed.
func pagurePushDetails(x *extraction, projURL string) {
	r := x.root
	end, start, old := getString(r, "end_commit"), getString(r, "start_commit"), getString(r, "old_commit")
	forced := getPath(r, "forced") == true
	if end != "" {
		from := start
		if !forgeZeroSHA(old) && !forced {
			from = old
		}
		if from != "" && from != end {
			x.detailLink("Commits", shortSHA(from)+".."+shortSHA(end), projURL+"/c/"+from+".."+end)
		} else {
			x.detailLink("Commit", shortSHA(end), projURL+"/c/"+end)
		}
	}
	if forced {
		x.detail("Push", "forced (history rewritten)")
	}
	files, _ := getPath(r, "changed_files").(map[string]any)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var parts []string
	for i, n := range names {
		if i == 10 {
			parts = append(parts, "and "+itoa(len(names)-10)+" more")
			break
		}
		if st := scalarString(files[n]); st != "" {
			n += " (" + st + ")"
		}
		parts = append(parts, n)
	}
	x.detail("Files", strings.Join(parts, ", "))
}

// tracTicketDetails adds the long form of a Trac ticket: its classification when new, the
// fields that changed and the comment when updated, its status.
func tracTicketDetails(x *extraction, ev string, t any) {
	r := x.root
	status := getString(t, "status")
	if res := getString(t, "resolution"); res != "" && status != "" {
		status += " (" + res + ")"
	}
	switch ev {
	case "ticket.new":
		x.detail("Component", getString(t, "component"))
		x.detail("Type", getString(t, "type"))
		x.detail("Priority", getString(t, "priority"))
		if m := getString(t, "milestone"); !strings.HasPrefix(m, "__") {
			x.detail("Milestone", m)
		}
		x.detail("Keywords", getString(t, "keywords"))
		x.detailText("Description", getString(t, "description"))
	case "ticket.update":
		old, _ := getPath(r, "old_values").(map[string]any)
		fields := make([]string, 0, len(old))
		for f := range old {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		var changes []string
		for _, f := range fields {
			if f == "description" {
				changes = append(changes, f+" edited")
				continue
			}
			to := getString(t, f)
			if to == "" {
				to = "(none)"
			}
			changes = append(changes, f+": "+forgeArrow(scalarString(old[f]), to))
		}
		if _, ok := old["status"]; !ok {
			x.detail("Status", status)
		}
		x.detail("Changes", strings.Join(changes, "; "))
		x.detailText("Comment", getString(r, "comment"))
	default:
		x.detail("Status", status)
	}
}

// bugzillaDetails adds the long form of a Bugzilla message: the whole title when the summary
// had to shorten it, status, component, product and severity, what changed, and the comment
// (the description, for a new bug).
func bugzillaDetails(x *extraction, bug any, shortened bool) {
	r := x.root
	if shortened {
		x.detail("Bug", getString(bug, "summary"))
	}
	st := forgeName(getPath(bug, "status"))
	if res := getString(bug, "resolution"); res != "" && st != "" {
		st += " " + res
	}
	x.detail("Status", st)
	comp := getString(bug, "component")
	if comp == "" {
		comp = strings.Join(forgeStrings(getPath(bug, "components")), ", ")
	}
	x.detail("Component", comp)
	x.detail("Product", strings.TrimSpace(forgeName(getPath(bug, "product"))+" "+forgeName(getPath(bug, "version"))))
	if sev := getString(bug, "severity"); sev != "" && sev != "unspecified" {
		x.detail("Severity", sev)
	}
	var changes []string
	each(getPath(r, "event", "changes"), func(c any) {
		f := getString(c, "field_name")
		switch f {
		case "", "cc", "cf_last_closed", "last_change_time":
			return
		case "bug_status":
			f = "status"
		case "flagtypes.name":
			f = "flags"
		case "assigned_to":
			f = "assignee"
		}
		from, to := getString(c, "removed"), getString(c, "added")
		if from == "" && to == "" {
			return
		}
		if to == "" {
			to = "(none)"
		}
		changes = append(changes, f+": "+forgeArrow(from, to))
	})
	x.detail("Changes", strings.Join(changes, "; "))
	c := getPath(r, "comment")
	text := getString(c, "text")
	if getPath(c, "is_private") == true {
		text = "" // a private comment is for the bug's insiders only
	}
	if text == "" && c == nil && strings.HasSuffix(x.topic, "bug.new") {
		text = getString(bug, "description")
	}
	if scalarString(getPath(c, "count")) == "0" || (c == nil && text != "") {
		x.detailText("Description", text)
	} else {
		x.detailText("Comment", text)
	}
}

// githubPRDetails adds the long form of a GitHub or Forgejo pull request: its branches, status
// and size, and its description when it was opened.
func githubPRDetails(x *extraction, pr any, action string) {
	from := getString(pr, "head", "ref")
	if l := getString(pr, "head", "label"); l != "" && strings.Contains(l, ":") &&
		getString(pr, "head", "repo", "full_name") != getString(pr, "base", "repo", "full_name") {
		from = l
	}
	x.detail("Branch", forgeArrow(from, getString(pr, "base", "ref")))
	switch action {
	case "opened", "closed", "reopened":
	default:
		st := getString(pr, "state")
		if getPath(pr, "merged") == true {
			st = "merged"
		}
		if getPath(pr, "draft") == true && st == "open" {
			st = "open (draft)"
		}
		x.detail("Status", st)
	}
	var size []string
	if n := scalarString(getPath(pr, "commits")); n != "" && n != "0" {
		size = append(size, forgeCommits(n))
	}
	if n := scalarString(getPath(pr, "changed_files")); n != "" && n != "0" {
		if n == "1" {
			size = append(size, "1 file")
		} else {
			size = append(size, n+" files")
		}
		size = append(size, "+"+scalarString(getPath(pr, "additions"))+" −"+scalarString(getPath(pr, "deletions")))
	}
	x.detail("Changes", strings.Join(size, ", "))
	if action == "opened" {
		x.detail("Labels", strings.Join(forgeNames(getPath(pr, "labels"), "name"), ", "))
		x.detailText("Description", getString(pr, "body"))
	}
}

// githubDetails adds the long form of a GitHub or Forgejo payload (github2fedmsg, or relayed by
// webhook-to-fedora-messaging), by what it carries: a workflow run, a review, a pull request, a
// comment, an issue, a push, a release, a commit status.
func githubDetails(x *extraction, p any) {
	action := getString(p, "action")
	_, isRun := getPath(p, "run").(map[string]any)
	_, isPR := getPath(p, "pull_request").(map[string]any)
	_, isComment := getPath(p, "comment").(map[string]any)
	_, isIssue := getPath(p, "issue").(map[string]any)
	_, isRelease := getPath(p, "release").(map[string]any)
	switch {
	case isRun:
		run := getPath(p, "run")
		x.detail("Workflow", getString(run, "workflow_id"))
		x.detail("Trigger", getString(run, "event"))
		x.detail("Commit", shortSHA(getString(run, "commit_sha")))
		if ps := getString(p, "prior_status"); ps != "" && ps != "running" && ps != "waiting" {
			x.detail("Previous run", ps)
		}
	case isPR && getString(p, "review", "state") != "":
		githubPRDetails(x, getPath(p, "pull_request"), action)
		x.detailText("Review", getString(p, "review", "body"))
	case isComment:
		if isIssue {
			x.detail("Status", getString(p, "issue", "state"))
		}
		if isPR {
			x.detail("Branch", forgeArrow(getString(p, "pull_request", "head", "ref"), getString(p, "pull_request", "base", "ref")))
		}
		place := getString(p, "comment", "path")
		if l := scalarString(getPath(p, "comment", "line")); l != "" && place != "" {
			place += ", line " + l
		}
		x.detail("File", place)
		x.detailText("Comment", getString(p, "comment", "body"))
	case isPR:
		githubPRDetails(x, getPath(p, "pull_request"), action)
	case isIssue:
		issue := getPath(p, "issue")
		switch action {
		case "opened":
			x.detail("Labels", strings.Join(forgeNames(getPath(issue, "labels"), "name"), ", "))
			x.detailText("Description", getString(issue, "body"))
		case "closed", "reopened":
		default:
			x.detail("Status", getString(issue, "state"))
		}
	case has(p, "commits") && has(p, "ref"):
		x.detail("Push", forgePushKind(p))
		total := 0
		if n, err := strconv.Atoi(scalarString(getPath(p, "total_commits"))); err == nil {
			total = n
		}
		forgePushCommits(x, getPath(p, "commits"), total)
	case isRelease:
		rel := getPath(p, "release")
		if n := getString(rel, "name"); n != getString(rel, "tag_name") {
			x.detail("Name", n)
		}
		if getPath(rel, "prerelease") == true {
			x.detail("Pre-release", "yes")
		}
		x.detailText("Notes", getString(rel, "body"))
	case has(p, "sha") && has(p, "state") && has(p, "context"):
		c := getPath(p, "commit")
		x.detailLink("Commit", strings.TrimSpace(shortSHA(getString(p, "sha"))+" "+forgeFirstLine(getString(c, "commit", "message"))),
			httpURL(getString(c, "html_url")))
		x.detail("Branch", strings.Join(forgeNames(getPath(p, "branches"), "name"), ", "))
	case has(p, "deployment_status"):
		x.detail("Environment", getString(p, "deployment", "environment"))
		x.detail("Description", getString(p, "deployment_status", "description"))
	}
}

// gitlabDetails adds the long form of a GitLab webhook: the commits of a push, the branches,
// status and description of merge requests and issues, the text of a comment.
func gitlabDetails(x *extraction, p any, kind string) {
	oa := getPath(p, "object_attributes")
	action := getString(oa, "action")
	switch kind {
	case "push":
		total := 0
		if n, err := strconv.Atoi(scalarString(getPath(p, "total_commits_count"))); err == nil {
			total = n
		}
		forgePushCommits(x, getPath(p, "commits"), total)
		before, after := getString(p, "before"), getString(p, "after")
		if web := httpURL(getString(p, "project", "web_url")); web != "" && !forgeZeroSHA(before) && !forgeZeroSHA(after) {
			x.detailLink("Compare", shortSHA(before)+".."+shortSHA(after), web+"/-/compare/"+before+"..."+after)
		}
	case "issue":
		switch action {
		case "open":
			x.detail("Labels", strings.Join(forgeNames(getPath(oa, "labels"), "title"), ", "))
			x.detailText("Description", getString(oa, "description"))
		case "close", "reopen":
		default:
			x.detail("Status", getString(oa, "state"))
		}
	case "merge_request":
		x.detail("Branch", forgeArrow(getString(oa, "source_branch"), getString(oa, "target_branch")))
		switch action {
		case "open":
			x.detail("Labels", strings.Join(forgeNames(getPath(oa, "labels"), "title"), ", "))
			x.detailText("Description", getString(oa, "description"))
		case "close", "reopen", "merge":
		default:
			st := getString(oa, "state")
			if m := getString(oa, "detailed_merge_status"); m != "" && st == "opened" {
				st += " (" + strings.ReplaceAll(m, "_", " ") + ")"
			}
			x.detail("Status", st)
		}
	case "note":
		switch getString(oa, "noteable_type") {
		case "Issue":
			x.detail("Status", getString(p, "issue", "state"))
		case "MergeRequest":
			mr := getPath(p, "merge_request")
			x.detail("Branch", forgeArrow(getString(mr, "source_branch"), getString(mr, "target_branch")))
			x.detail("Status", getString(mr, "state"))
		}
		x.detailText("Comment", getString(oa, "note"))
	case "pipeline":
		c := getPath(p, "commit")
		x.detailLink("Commit", strings.TrimSpace(shortSHA(getString(c, "id"))+" "+forgeFirstLine(getString(c, "message"))),
			httpURL(getString(c, "url")))
	}
}
