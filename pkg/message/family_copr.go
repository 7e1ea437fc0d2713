package message

import (
	"net/url"
	"strings"
)

// coprStatus names copr's build states by number.
var coprStatus = []string{"failed", "succeeded", "canceled", "running", "pending", "skipped", "starting", "importing", "forked", "waiting"}

// coprFn describes copr build and worker events.
func coprFn(x *extraction) {
	defer coprDetails(x)
	owner := getString(x.root, "owner")
	if owner == "" {
		owner = getString(x.root, "user")
	}
	project := getString(x.root, "copr")
	build := scalarString(getPath(x.root, "build"))
	chroot := getString(x.root, "chroot")
	ownerPath := owner
	if g, ok := strings.CutPrefix(owner, "@"); ok {
		ownerPath = "g/" + g
	}
	who := x.agent
	if who == "" {
		who = owner
	}
	pkg := getString(x.root, "pkg")
	if v := getString(x.root, "version"); pkg != "" && v != "" && !strings.HasSuffix(pkg, v) {
		pkg += "-" + v
	}
	ev := strings.TrimPrefix(x.topic, "copr.")
	switch {
	case ev == "worker.create":
		x.url = coprHost
		x.summary = "a new copr worker was created"
		if ip := getString(x.root, "ip"); ip != "" {
			x.summary += " (" + ip + ")"
		}
		return
	case project == "" || owner == "":
		return
	}
	if build != "" {
		x.url = coprHost + "/coprs/" + ownerPath + "/" + project + "/build/" + build + "/"
	} else {
		x.url = coprHost + "/coprs/" + ownerPath + "/" + project + "/"
	}
	switch ev {
	case "build.start":
		s := who + " started a new build"
		if pkg != "" {
			s += " of " + pkg
		}
		s += " in the " + project + " copr"
		if chroot != "" {
			s += " (" + chroot + ")"
		}
		x.summary = s
	case "build.end":
		s := possessive(who) + project + " copr build"
		if pkg != "" {
			s += " of " + pkg
		}
		if chroot != "" {
			s += " for " + chroot
		}
		st := "finished"
		if n, ok := toInt(getPath(x.root, "status")); ok && n >= 0 && n < len(coprStatus) {
			st = "finished with " + coprStatus[n]
			if coprStatus[n] == "succeeded" {
				st = "finished with success"
			}
		}
		x.summary = s + " " + st
	case "chroot.start":
		if chroot != "" {
			x.url = coprResults + "/" + owner + "/" + project + "/" + chroot + "/"
			x.summary = possessive(who) + project + " copr started a new " + chroot + " chroot"
			if build != "" {
				x.summary += " for build " + build
			}
		}
	default:
		x.summary = possessive(who) + project + " copr " + strings.ReplaceAll(ev, ".", " ")
	}
}

// coprDetails adds the long form of a copr build event: the chroot when the summary lacks it,
// the build's page when the link is elsewhere, the project and the build's results.
func coprDetails(x *extraction) {
	owner := getString(x.root, "owner")
	if owner == "" {
		owner = getString(x.root, "user")
	}
	project, chroot := getString(x.root, "copr"), getString(x.root, "chroot")
	build := scalarString(getPath(x.root, "build"))
	if project == "" || owner == "" {
		return
	}
	ownerPath := owner
	if g, ok := strings.CutPrefix(owner, "@"); ok {
		ownerPath = "g/" + g
	}
	web := coprHost + "/coprs/" + ownerPath + "/" + url.PathEscape(project) + "/"
	x.buildDetailNew("Chroot", chroot)
	if build != "" && !strings.Contains(x.url, "/build/") {
		x.detailLink("Build", build, web+"build/"+url.PathEscape(build)+"/")
	}
	x.detailLink("Project", owner+"/"+project, web)
	pkg := getString(x.root, "pkg")
	if lastWord(x.topic) == "end" && chroot != "" && build != "" && pkg != "" {
		dir := coprResults + "/" + url.PathEscape(owner) + "/" + url.PathEscape(project) + "/" + url.PathEscape(chroot) + "/"
		if v := getString(x.root, "version"); v == "" || !strings.HasSuffix(pkg, v) {
			// Since 2016 each build has its own directory, "00450811-python26".
			if n, ok := toInt(build); ok {
				b := itoa(n)
				for len(b) < 8 {
					b = "0" + b
				}
				dir += b + "-" + url.PathEscape(pkg) + "/"
			}
		}
		x.detailLink("Results", dir, dir)
	}
}
