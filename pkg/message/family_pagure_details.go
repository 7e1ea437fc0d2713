package message

import (
	"strings"
)

// The long form of pagure messages; family_pagure.go has their sentence and link.

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
	x.detail("Files", fileList(files, func(f any) string {
		if st := scalarString(f); st != "" {
			return " (" + st + ")"
		}
		return ""
	}))
}
