package message

import "strings"

// notPackages lists Bugzilla components that are not packages.
var notPackages = map[string]bool{"Package Review": true}

// bugzilla adds the bug's component as its package (unless it is not one) and the people on the
// bug, leaving out mailing lists; who acted is the event's author.
func bugzilla(x *extraction) {
	bug := getPath(x.root, "bug")
	if c := getString(bug, "component"); c != "" && !notPackages[c] {
		x.addArtifact(ArtifactRPM, c)
	}
	addr := func(v any) {
		s, _ := v.(string)
		if s == "" || strings.HasSuffix(s, "lists.fedoraproject.org") {
			return
		}
		x.addUser(s)
	}
	addr(getPath(x.root, "event", "who"))
	addr(getPath(x.root, "comment", "author"))
	addr(getPath(bug, "creator"))
	addr(getPath(bug, "assigned_to"))
	each(getPath(bug, "cc"), addr)
	if who := getString(x.root, "event", "who"); who != "" {
		x.setAgent(who)
	}
}

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
		switch {
		case len(fields) > 2:
			x.summary = who + " updated " + strings.Join(fields[:len(fields)-1], ", ") + ", and " + fields[len(fields)-1] + " on " + ref
		case len(fields) > 0:
			x.summary = who + " updated " + series(fields) + " on " + ref
		default:
			x.summary = who + " updated " + ref
		}
	}
	bugzillaDetails(x, bug, title != getString(bug, "summary"))
}

// forgeName returns a value that is either a string or an object with a name ("NEW" or
// {"id": 1, "name": "NEW"}, as Bugzilla's two message versions put it).
func forgeName(v any) string {
	if s := scalarString(v); s != "" {
		return s
	}
	return getString(v, "name")
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
