package message

import (
	"strconv"
	"strings"
)

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
	w := &webhookEvent{x: x, p: p, ev: ev, who: who, repo: repo, action: getString(p, "action")}
	if s := w.sentence(); s != "" {
		x.summary = strings.TrimSpace(s)
	}
	if x.url == "" {
		x.url = githubLink(p, httpURL(getString(p, "repository", "html_url")))
	}
	githubDetails(x, p)
}

// webhookEvent is what the sentence of a GitHub or Forgejo webhook is made of: the payload, the
// event (the topic after the forge's name), who acted, on which repository, and the action.
type webhookEvent struct {
	x                     *extraction
	p                     any
	ev, who, repo, action string
}

// sentence returns the summary of the webhook, recognised by what its payload holds (Forgejo's
// topics do not always say); a few set the page to open as well.
func (w *webhookEvent) sentence() string {
	p, ev, who, repo, action := w.p, w.ev, w.who, w.repo, w.action
	switch {
	case getString(p, "review", "state") != "" && has(p, "pull_request"):
		return w.reviewSentence()
	case ev == "star" || ev == "watch":
		return w.starSentence()
	case has(p, "pull_request") && getPath(p, "pull_request", "title") != nil && ev != "issue_comment":
		return w.pullRequestSentence()
	case has(p, "comment") && has(p, "issue"):
		return w.commentSentence()
	case has(p, "issue"):
		return who + " " + githubAction(action) + " issue #" + scalarString(getPath(p, "issue", "number")) + " on " + repo + forgeTitled(getString(p, "issue", "title"))
	case has(p, "run"):
		return w.runSentence()
	case has(p, "ref") && has(p, "commits"):
		return w.pushSentence()
	case has(p, "forkee"):
		return w.forkSentence()
	case has(p, "release"):
		return who + " " + githubAction(action) + " release " + getString(p, "release", "tag_name") + " of " + repo
	case has(p, "ref_type"):
		verb := "created"
		if ev == "delete" {
			verb = "deleted"
		}
		return who + " " + verb + " " + getString(p, "ref_type") + " \"" + getString(p, "ref") + "\" on " + repo
	case repo != "":
		return who + " " + strings.ReplaceAll(ev, "_", " ") + " on " + repo
	}
	return ""
}

// reviewSentence describes a review of a pull request.
func (w *webhookEvent) reviewSentence() string {
	p := w.p
	on := " pull request #" + scalarString(getPath(p, "pull_request", "number")) + " on " + w.repo + forgeTitled(getString(p, "pull_request", "title"))
	switch getString(p, "review", "state") {
	case "approved":
		return w.who + " approved" + on
	case "changes_requested":
		return w.who + " requested changes on" + on
	}
	return w.who + " reviewed" + on
}

// starSentence describes a repository starred, unstarred or watched.
func (w *webhookEvent) starSentence() string {
	verb := "starred"
	if w.ev == "watch" {
		verb = "started watching"
	}
	if w.action == "deleted" {
		verb = "unstarred"
	}
	return w.who + " " + verb + " " + w.repo
}

// pullRequestSentence describes an event on a pull request: opened, closed, merged, edited.
func (w *webhookEvent) pullRequestSentence() string {
	p := w.p
	a := w.action
	if a == "closed" && getPath(p, "pull_request", "merged") == true {
		a = "merged"
	}
	num := scalarString(getPath(p, "number"))
	if num == "" {
		num = scalarString(getPath(p, "pull_request", "number"))
	}
	return w.who + " " + githubAction(a) + " pull request #" + num + " on " + w.repo + forgeTitled(getString(p, "pull_request", "title"))
}

// commentSentence describes a comment added, edited or deleted on an issue or a pull request.
func (w *webhookEvent) commentSentence() string {
	p := w.p
	kind := "issue"
	if pr := getPath(p, "issue", "pull_request"); pr != nil && pr != "" {
		kind = "pull request"
	}
	verb := "commented on"
	switch w.action {
	case "edited":
		verb = "edited a comment on"
	case "deleted":
		verb = "deleted a comment on"
	}
	return w.who + " " + verb + " " + kind + " #" + scalarString(getPath(p, "issue", "number")) + " on " + w.repo + forgeTitled(getString(p, "issue", "title"))
}

// runSentence describes the outcome of a workflow run (Forgejo Actions), whose page it sets.
func (w *webhookEvent) runSentence() string {
	run := getPath(w.p, "run")
	var outcome string
	switch w.action {
	case "success":
		outcome = "succeeded"
	case "failure":
		outcome = "failed"
	case "cancelled":
		outcome = "was cancelled"
	case "recover":
		outcome = "succeeded again after a failure"
	default:
		outcome = githubAction(w.action)
	}
	s := w.who + "'s workflow run \"" + getString(run, "title") + "\" on " + w.repo
	if ref := getString(run, "prettyref"); ref != "" {
		s += " (" + ref + ")"
	}
	w.x.url = httpURL(getString(run, "html_url"))
	return s + " " + outcome
}

// pushSentence describes a push: how many commits to which branch, and the last one's title.
func (w *webhookEvent) pushSentence() string {
	p := w.p
	n := scalarString(getPath(p, "total_commits"))
	if n == "" {
		c := 0
		each(getPath(p, "commits"), func(any) { c++ })
		n = itoa(c)
	}
	s := w.who + " pushed " + forgeCommits(n) + " to " + w.repo
	if b := strings.TrimPrefix(getString(p, "ref"), "refs/heads/"); b != "" {
		s += " (" + b + ")"
	}
	return s + forgeTitled(forgeFirstLine(getString(p, "head_commit", "message")))
}

// forkSentence describes a fork, whose page it sets.
func (w *webhookEvent) forkSentence() string {
	p := w.p
	// GitHub sends the parent as the repository and the fork as the forkee; Forgejo the reverse.
	parent, fork := w.repo, getString(p, "forkee", "full_name")
	forkURL := httpURL(getString(p, "forkee", "html_url"))
	if getPath(p, "repository", "fork") == true && getPath(p, "forkee", "fork") != true {
		parent, fork = fork, w.repo
		forkURL = httpURL(getString(p, "repository", "html_url"))
	}
	w.x.url = forkURL
	return w.who + " forked " + parent + " to " + fork
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
