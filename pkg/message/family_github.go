package message

import (
	"strconv"
	"strings"
)

// githubAccounts adds the Fedora accounts github2fedmsg mapped the payload's GitHub logins to
// (fas_usernames), leaving out organisations.
func githubAccounts(x *extraction) {
	fu, _ := getPath(x.root, "fas_usernames").(map[string]any)
	for _, v := range fu {
		if s, ok := v.(string); ok && !strings.HasPrefix(s, "github_org_") {
			x.addUser(s)
		}
	}
}

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
	g := newGithubEvent(x)
	x.summary = strings.TrimSpace(g.sentence())
	if x.url == "" {
		x.url = githubLink(g.r, g.repoURL)
	}
	githubDetails(x, g.r)
}

// githubEvent is what a github2fedmsg sentence is made of: the body, the event (the topic after
// "github."), who acted, on which repository, and the issue or pull request number.
type githubEvent struct {
	x              *extraction
	r              any
	ev, user, repo string
	action, num    string
	repoURL        string
}

// newGithubEvent finds the parts of a github2fedmsg message.
func newGithubEvent(x *extraction) *githubEvent {
	r := x.root
	g := &githubEvent{x: x, r: r, ev: strings.TrimPrefix(x.topic, "github."), user: githubUser(r), repo: githubRepo(r)}
	g.action = getString(r, "action")
	g.num = scalarString(getPath(r, "number"))
	if g.num == "" {
		g.num = scalarString(getPath(r, "pull_request", "number"))
	}
	if g.num == "" {
		g.num = scalarString(getPath(r, "issue", "number"))
	}
	g.repoURL = httpURL(getString(r, "repository", "html_url"))
	return g
}

// sentence returns the summary of the event; a few events set the page to open as well.
func (g *githubEvent) sentence() string {
	switch ev := g.ev; {
	case strings.HasPrefix(ev, "pull_request.") || ev == "pull_request" || ev == "pull_request_review" ||
		ev == "pull_request_review_comment":
		return g.pullRequestSentence()
	case strings.HasPrefix(ev, "issue.") || ev == "issues" || ev == "issue_comment":
		return g.issueSentence()
	case ev == "push" || ev == "create" || ev == "delete" || ev == "release" || ev == "status":
		return g.codeSentence()
	}
	return g.repoSentence()
}

// pullRequestSentence describes an event on a pull request, a review or a review comment.
func (g *githubEvent) pullRequestSentence() string {
	r, user, repo, num := g.r, g.user, g.repo, g.num
	switch g.ev {
	case "pull_request_review":
		on := " on PR #" + num + " on " + repo
		switch st := getString(r, "review", "state"); st {
		case "approved":
			return user + " approved the changes" + on
		case "changes_requested":
			return user + " requested changes" + on
		case "pending":
			return user + " commented" + on + " which is in pending state"
		default:
			return user + " commented" + on
		}
	case "pull_request_review_comment":
		return user + " commented on PR #" + num + " on " + repo + forgeTitled(getString(r, "pull_request", "title"))
	}
	a := g.action
	if a == "closed" && getPath(r, "pull_request", "merged") == true {
		a = "merged"
	}
	s := user + " " + githubAction(a) + " pull request #" + num + " on " + repo
	if t := getString(r, "pull_request", "title"); t != "" {
		s += ": " + t
	}
	return s
}

// issueSentence describes an event on an issue or a comment on one.
func (g *githubEvent) issueSentence() string {
	r, user, repo, num, action := g.r, g.user, g.repo, g.num, g.action
	switch {
	case getPath(r, "comment") != nil:
		return user + " commented on issue #" + num + " on " + repo + forgeTitled(getString(r, "issue", "title"))
	case action == "labeled":
		return user + " added label " + getString(r, "label", "name") + " to issue #" + num + " on " + repo
	case action == "unlabeled":
		return user + " removed label " + getString(r, "label", "name") + " from issue #" + num + " on " + repo
	case action == "opened" || action == "reopened":
		return user + " " + action + " issue #" + num + " on " + repo + ": " + getString(r, "issue", "title")
	}
	return user + " " + githubAction(action) + " issue #" + num + " on " + repo
}

// codeSentence describes a change to a repository's code: a push, a branch or tag created or
// deleted, a release, a commit status.
func (g *githubEvent) codeSentence() string {
	r, user, repo := g.r, g.user, g.repo
	switch g.ev {
	case "push":
		n := 0
		each(getPath(r, "commits"), func(any) { n++ })
		s := user + " pushed " + forgeCommits(itoa(n)) + " to " + repo
		if b := strings.TrimPrefix(getString(r, "ref"), "refs/heads/"); b != "" {
			s += " (" + b + ")"
		}
		return s
	case "create":
		return user + " created a new " + getString(r, "ref_type") + " \"" + getString(r, "ref") + "\" at " + repo
	case "delete":
		return user + " deleted the \"" + getString(r, "ref") + "\" " + getString(r, "ref_type") + " at " + repo
	case "release":
		return user + " cut a release of " + repo + ", version " + getString(r, "release", "tag_name")
	}
	// A commit status.
	what := getString(r, "description")
	if c := getString(r, "context"); c != "" && c != "default" {
		what = c + ": " + what
	}
	s := what + " for " + repo + " " + shortSHA(getString(r, "sha"))
	if st := getString(r, "state"); st != "" && !strings.Contains(strings.ToLower(what), st) {
		s += " (" + st + ")"
	}
	return s
}

// repoSentence describes an event on the repository itself: added to fedmsg, deployed, forked,
// watched, starred, its page rebuilt, its teams and members.
func (g *githubEvent) repoSentence() string {
	x, r, user, repo, action := g.x, g.r, g.user, g.repo, g.action
	switch g.ev {
	case "webhook":
		if repo != "" {
			return "The GitHub repository " + repo + " has been added to fedmsg"
		}
		return "A new GitHub repository has been added to fedmsg"
	case "deployment_status":
		return user + "'s deployment status for " + repo + " updated to \"" + getString(r, "deployment_status", "state") + "\""
	case "fork":
		if f := getString(r, "forkee", "full_name"); f != "" {
			return user + " forked " + repo + " to " + f
		}
		return user + " forked " + repo
	case "watch":
		if g.repoURL != "" {
			x.url = g.repoURL + "/watchers"
		}
		return user + " " + action + " watching " + repo
	case "star":
		verb := "starred"
		if action == "deleted" {
			verb = "unstarred"
		}
		if g.repoURL != "" {
			x.url = g.repoURL + "/stargazers"
		}
		return user + " " + verb + " " + repo
	case "page_build":
		if owner, name, ok := strings.Cut(repo, "/"); ok {
			x.url = "https://" + owner + ".github.io/" + name + "/"
		}
		return user + " rebuilt the github.io page for " + repo
	case "team_add":
		return "The '" + getString(r, "team", "slug") + "' team was added to the " + repo + " repository"
	case "member":
		if action == "added" {
			return user + " added " + getString(r, "member", "login") + " as a member of " + repo
		}
		return user + " removed member " + getString(r, "member", "login") + " from " + repo
	}
	if repo != "" {
		return user + " " + strings.ReplaceAll(g.ev, ".", " ") + " on " + repo
	}
	return ""
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
