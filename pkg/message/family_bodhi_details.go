package message

import "strings"

// The long form of bodhi messages; family_bodhi.go has their sentence and link.

// bodhiBugs renders bodhi bug references (numbers or objects with bug_id) as "RHBZ#1, RHBZ#2"
// and a Bugzilla link to them.
func bodhiBugs(v any) (text, link string) {
	var ids []string
	each(v, func(b any) {
		id := scalarString(b)
		if id == "" {
			id = scalarString(getPath(b, "bug_id"))
		}
		if id != "" && strings.Trim(id, "0123456789") == "" {
			ids = append(ids, id)
		}
	})
	if len(ids) == 0 {
		return "", ""
	}
	link = "https://bugzilla.redhat.com/buglist.cgi?bug_id=" + strings.Join(ids, ",")
	if len(ids) == 1 {
		link = "https://bugzilla.redhat.com/show_bug.cgi?id=" + ids[0]
	}
	return "RHBZ#" + strings.Join(ids, ", RHBZ#"), link
}

// bodhiKarma renders an update's karma with its thresholds: "+1 (stable at +3, unstable at -3)".
func bodhiKarma(update any) string {
	k, ok := toInt(getPath(update, "karma"))
	if !ok {
		return ""
	}
	s := buildSigned(k)
	var th []string
	if n, ok := toInt(getPath(update, "stable_karma")); ok && n != 0 {
		th = append(th, "stable at "+buildSigned(n))
	}
	if n, ok := toInt(getPath(update, "unstable_karma")); ok && n != 0 {
		th = append(th, "unstable at "+buildSigned(n))
	}
	if len(th) > 0 {
		s += " (" + strings.Join(th, ", ") + ")"
	}
	return s
}

// bodhiFeedback renders a comment's feedback on bugs or test cases: "RHBZ#123 +1, …".
func bodhiFeedback(v any, name func(any) string) string {
	var out []string
	each(v, func(f any) {
		k, ok := toInt(getPath(f, "karma"))
		n := name(f)
		if !ok || k == 0 || n == "" {
			return
		}
		out = append(out, n+" "+buildSigned(k))
	})
	return strings.Join(out, ", ")
}

// bodhiCommentDetails adds a comment's text, its karma (with the critical-path karma and the
// update's total) and its feedback on bugs and test cases.
func bodhiCommentDetails(x *extraction, c, update any) {
	x.detailText("Comment", getString(c, "text"))
	var karma []string
	if k, ok := toInt(getPath(c, "karma")); ok && k != 0 {
		karma = append(karma, buildSigned(k))
	}
	if k, ok := toInt(getPath(c, "karma_critpath")); ok && k != 0 {
		karma = append(karma, "critpath "+buildSigned(k))
	}
	if t := bodhiKarma(update); t != "" {
		karma = append(karma, "update total "+t)
	}
	x.detail("Karma", strings.Join(karma, ", "))
	x.detail("Bug feedback", bodhiFeedback(getPath(c, "bug_feedback"), func(f any) string {
		if id := scalarString(getPath(f, "bug_id")); id != "" {
			return "RHBZ#" + id
		}
		return ""
	}))
	x.detail("Test cases", bodhiFeedback(getPath(c, "testcase_feedback"), func(f any) string {
		if n := getString(f, "testcase", "name"); n != "" {
			return n
		}
		return scalarString(getPath(f, "testcase_id"))
	}))
}

// bodhiDetails adds the long form of a bodhi message: for a comment its text and karma; for an
// update its alias, builds, status, gating and karma, and for a new or edited update its bugs
// and notes; for a buildroot override its expiry and notes; for a compose the updates in it.
func bodhiDetails(x *extraction, update any) {
	ev := strings.TrimPrefix(x.topic, "bodhi.")
	if ev == "update.comment" {
		bodhiCommentDetails(x, getPath(x.root, "comment"), update)
	}
	if update != nil {
		if a := getString(update, "alias"); a != "" && !buildSaid(x, a) {
			x.detailLink("Update", a, bodhiUpdateURL(update))
		}
		if ev == "update.edit" {
			x.detail("Added builds", buildJoin(getPath(x.root, "new_builds"), ", "))
			x.detail("Removed builds", buildJoin(getPath(x.root, "removed_builds"), ", "))
		}
		var nvrs []string
		missing := false
		each(getPath(update, "builds"), func(b any) {
			if n := getString(b, "nvr"); n != "" {
				nvrs = append(nvrs, n)
				missing = missing || !buildSaid(x, n)
			}
		})
		if missing {
			x.detail("Builds", strings.Join(nvrs, ", "))
		}
		status := getString(update, "status")
		if r := getString(update, "request"); r != "" {
			status = strings.TrimSpace(status + " (request: " + r + ")")
		}
		x.detail("Status", status)
		gating := getString(update, "test_gating_status")
		if g := getString(update, "greenwave_summary_string"); g != "" && g != gating {
			gating = strings.TrimPrefix(gating+": "+g, ": ")
		}
		if !strings.EqualFold(gating, "ignored") {
			x.detail("Gating", gating)
		}
		if ev != "update.comment" {
			x.detail("Karma", bodhiKarma(update))
		}
		typ := getString(update, "type")
		if sev := getString(update, "severity"); typ != "" && sev != "" && sev != "unspecified" {
			typ += " (severity " + sev + ")"
		}
		x.detail("Type", typ)
		if ev == "update.eject" {
			x.buildDetailNew("Reason", getString(x.root, "reason"))
		}
		if ev == "update.edit" {
			text, link := bodhiBugs(getPath(x.root, "new_bugs"))
			x.detailLink("New bugs", text, link)
		}
		if ev == "update.request.testing" || ev == "update.edit" {
			text, link := bodhiBugs(getPath(update, "bugs"))
			x.detailLink("Bugs", text, link)
			x.detailText("Notes", getString(update, "notes"))
		}
		return
	}
	if ov := getPath(x.root, "override"); ov != nil {
		x.detail("Expires", getString(ov, "expiration_date"))
		x.detailText("Notes", getString(ov, "notes"))
		return
	}
	switch ev {
	case "compose.composing", "mashtask.mashing":
		x.detail("Updates", buildJoin(getPath(x.root, "updates"), ", "))
	}
}
