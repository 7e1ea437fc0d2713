package message

import (
	"net/url"
	"strings"
)

// openqaWeb is the openQA instance of the message's environment.
func openqaWeb(x *extraction) string {
	if x.staging() {
		return "https://openqa.stg.fedoraproject.org"
	}
	return openqaHost
}

// openqaFn describes openQA comments and job events.
func openqaFn(x *extraction) {
	defer openqaDetails(x)
	ev := strings.TrimPrefix(x.topic, "openqa.")
	id := scalarString(getPath(x.root, "id"))
	if strings.HasPrefix(ev, "comment.") {
		job, group := scalarString(getPath(x.root, "job_id")), scalarString(getPath(x.root, "group_id"))
		var on string
		switch {
		case job != "":
			on = "openQA job " + job
			x.url = openqaWeb(x) + "/tests/" + job + "#comments"
		case group != "":
			on = "openQA group " + group
			x.url = openqaWeb(x) + "/group_overview/" + group
		default:
			return
		}
		verb := map[string]string{"create": "created", "update": "updated", "delete": "deleted"}[lastWord(ev)]
		if verb == "" {
			verb = lastWord(ev)
		}
		who := x.agent
		if who == "" {
			who = "someone"
		}
		s := who + " " + verb + " comment #" + id + " on " + on
		if t := getString(x.root, "text"); t != "" {
			s += ": " + shorten(t, 60)
		}
		x.summary = s
		return
	}
	if id == "" || !strings.HasPrefix(ev, "job.") {
		return
	}
	x.url = openqaWeb(x) + "/tests/" + id
	s := "openQA job " + id
	if test := getString(x.root, "TEST"); test != "" {
		s += " (test " + test
		if m := getString(x.root, "MACHINE"); m != "" {
			s += " on " + m
		}
		if iso := getString(x.root, "ISO"); iso != "" {
			s += " for iso " + iso
		} else if hdd := getString(x.root, "HDD_1"); hdd != "" {
			s += " for disk " + hdd
		}
		s += ")"
	}
	build := getString(x.root, "BUILD")
	if build == "" {
		build = getString(x.root, "build")
	}
	switch lastWord(ev) {
	case "duplicate":
		how := "automatically"
		if scalarString(getPath(x.root, "auto")) == "0" {
			how = "manually"
		}
		s += " was " + how + " duplicated"
		if r := scalarString(getPath(x.root, "result")); r != "" {
			s += " as " + r
		}
	case "done":
		s += " completed"
		if r := getString(x.root, "result"); r != "" {
			s += " (" + r + ")"
		}
	case "restart":
		s += " was restarted"
	case "cancel":
		s += " was canceled"
	case "create":
		s += " was created"
	default:
		s += " " + strings.ReplaceAll(strings.TrimPrefix(ev, "job."), ".", " ")
	}
	if build != "" {
		s += " for " + build
	}
	if n := scalarString(getPath(x.root, "remaining")); n != "" {
		s += ", " + n + " remaining jobs"
	}
	x.summary = s
}

// openqaDetails adds the long form of an openQA message: a comment's whole text; a job's
// result, architecture, flavor and version, the bodhi update it tested, its clone and its log.
func openqaDetails(x *extraction) {
	ev := strings.TrimPrefix(x.topic, "openqa.")
	if strings.HasPrefix(ev, "comment.") {
		if t := getString(x.root, "text"); t != "" && !buildSaid(x, t) {
			x.detailText("Comment", t)
		}
		return
	}
	id := scalarString(getPath(x.root, "id"))
	if id == "" || !strings.HasPrefix(ev, "job.") {
		return
	}
	web := openqaWeb(x)
	if ev == "job.duplicate" {
		if c := scalarString(getPath(x.root, "result")); c != "" && strings.Trim(c, "0123456789") == "" {
			x.detailLink("Clone", c, web+"/tests/"+c)
		}
	} else {
		x.buildDetailNew("Result", scalarString(getPath(x.root, "result")))
	}
	x.detail("Arch", getString(x.root, "ARCH"))
	x.detail("Flavor", getString(x.root, "FLAVOR"))
	x.detail("Version", getString(x.root, "VERSION"))
	build := getString(x.root, "BUILD")
	if a, ok := strings.CutPrefix(build, "Update-"); ok && strings.HasPrefix(a, "FEDORA-") {
		x.detailLink("Update", a, bodhiHost+"/updates/"+url.PathEscape(a))
	}
	if ev == "job.done" {
		u := web + "/tests/" + url.PathEscape(id) + "/file/autoinst-log.txt"
		x.detailLink("Log", u, u)
	}
}
