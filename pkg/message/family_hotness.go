package message

import "strings"

// hotness reads the message that triggered the-new-hotness (kept in "trigger").
func hotness(x *extraction) {
	trig := getPath(x.root, "trigger")
	ttopic := getString(trig, "topic")
	orig := getPath(trig, "msg")
	if strings.Contains(ttopic, "buildsys.build") {
		x.addUser(getPath(orig, "owner"))
	}
	if strings.Contains(ttopic, "anitya") {
		ps := getPath(orig, "message", "packages")
		if ps == nil {
			ps = getPath(orig, "packages")
		}
		each(ps, func(e any) {
			if getString(e, "distro") == "Fedora" {
				x.addArtifact(ArtifactRPM, getString(e, "package_name"))
			}
		})
		if x.hasArtifacts() {
			return
		}
	}
	switch {
	case getPath(orig, "package_listing") != nil:
		x.addArtifact(ArtifactRPM, getString(orig, "package_listing", "package", "name"))
	case strings.Contains(ttopic, "buildsys.build"):
		x.addArtifact(ArtifactRPM, getString(orig, "name"))
	case getPath(orig, "package") != nil:
		x.addArtifact(ArtifactRPM, getString(orig, "package", "name"))
	}
	if !x.hasArtifacts() {
		// fedora-messaging hotness bodies name the package directly.
		x.addArtifact(ArtifactRPM, getString(x.root, "package"))
		x.addArtifact(ArtifactRPM, getString(x.root, "package", "name"))
	}
}

// hotnessFn adds to the-new-hotness's extraction what a person reads: the bug it filed or
// followed up, the update it dropped, the project it mapped.
func hotnessFn(x *extraction) {
	hotness(x)
	trig := getPath(x.root, "trigger")
	orig := getPath(trig, "msg")
	// Staging hotness files its bugs on Red Hat's partner (test) bugzilla.
	bz := forgeBugzilla
	if x.staging() {
		bz = "https://partner-bugzilla.redhat.com"
	}
	bug := scalarString(getPath(x.root, "bug", "bug_id"))
	bugRef := ""
	if bug != "" {
		bugRef = "RHBZ#" + bug
		x.url = httpURL(getString(x.root, "bug", "url"))
		if x.url == "" {
			x.url = bz + "/show_bug.cgi?id=" + bug
		}
	}
	bugURL := x.url
	pk := make([]string, 0, len(x.arts))
	for _, a := range x.arts {
		pk = append(pk, a.Name)
	}
	pkgs := listWords(pk, 3)
	projectID := scalarString(getPath(orig, "project", "id"))
	if projectID == "" {
		projectID = scalarString(getPath(orig, "message", "project", "id"))
	}
	ev := strings.TrimPrefix(x.topic, "hotness.")
	defer hotnessDetails(x, ev, bugRef, bugURL)
	switch {
	case ev == "update.bug.file":
		s := "the-new-hotness filed a bug"
		if bugRef != "" {
			s += " (" + bugRef + ")"
		}
		if pkgs != "" {
			s += " on " + pkgs
		}
		x.summary = s
		if x.url == "" && projectID != "" {
			x.url = anityaHost + "/project/" + projectID + "/"
		}
	case ev == "update.bug.followup":
		x.summary = hotnessFollowup(getString(trig, "topic"), orig, bugRef)
	case ev == "update.drop":
		if projectID != "" {
			x.url = anityaHost + "/project/" + projectID + "/"
		}
		if pkgs == "" {
			return
		}
		why := map[string]string{
			"bugzilla": "a bugzilla ticket had already been filed",
			"pkgdb":    "the package is not monitored",
			"rawhide":  "the version is already in rawhide",
		}[getString(x.root, "reason")]
		if why == "" {
			if r := getString(x.root, "reason"); r != "" {
				why = "it was dropped (" + r + ")"
			} else {
				why = "it was dropped"
			}
		}
		x.summary = "the-new-hotness saw an update for " + pkgs + ", but " + why
	case ev == "project.map":
		pkg := getString(orig, "package_name")
		if pkg == "" {
			pkg = pkgs
		}
		if pkg == "" {
			return
		}
		target := "a brand-new upstream project"
		if p := getString(x.root, "project", "name"); p != "" {
			target = "the existing upstream project " + p
		}
		if id := scalarString(getPath(x.root, "project", "id")); id != "" {
			x.url = anityaHost + "/project/" + id + "/"
		} else if u := httpURL(getString(orig, "package_listing", "package", "review_url")); u != "" {
			x.url = u
		}
		if b, _ := getPath(x.root, "success").(bool); b {
			x.summary = "the-new-hotness mapped " + pkg + " to " + target
		} else {
			x.summary = "the-new-hotness tried to map " + pkg + " to " + target + ", but failed"
		}
	}
}

// hotnessFollowup says which build the-new-hotness followed up on a bug with.
func hotnessFollowup(ttopic string, orig any, bugRef string) string {
	var s, w string
	switch {
	case strings.Contains(ttopic, "buildsys.task"):
		w = kojiStateWord(getPath(orig, "new"), true)
		s = "scratch build of " + getString(orig, "srpm")
		if getString(orig, "srpm") == "" {
			s = "scratch build " + scalarString(getPath(orig, "id"))
		}
	case strings.Contains(ttopic, "buildsys.build"):
		w = kojiStateWord(getPath(orig, "new"), false)
		nvr := getString(orig, "name") + "-" + getString(orig, "version") + "-" + getString(orig, "release")
		s = "real build of " + nvr
		if o := getString(orig, "owner"); o != "" {
			s = ownerOf(o) + " " + s
		}
	default:
		return ""
	}
	if bugRef != "" {
		s += " for " + bugRef
	}
	if w == "" {
		w = "changed state"
	}
	return s + " " + w
}

// hotnessDetails adds the long form of a the-new-hotness message: the bug (filed or followed
// up), the anitya project with the new and previous versions, the build it followed up with.
func hotnessDetails(x *extraction, ev, bugRef, bugURL string) {
	trig := getPath(x.root, "trigger")
	orig := getPath(trig, "msg")
	ttopic := getString(trig, "topic")
	if bugRef != "" {
		x.detailLink("Bug", bugRef, bugURL)
	}
	switch {
	case strings.Contains(ttopic, "anitya"):
		msg := getPath(orig, "message")
		if msg == nil {
			msg = orig
		}
		proj := getPath(orig, "project")
		if proj == nil {
			proj = getPath(msg, "project")
		}
		relAnityaProject(x, proj)
		vs, old := relVersions(msg, proj)
		x.detail("Version", strings.Join(vs, ", "))
		x.detail("Previous", old)
		relHomepage(x, proj)
	case strings.Contains(ttopic, "buildsys.task"):
		id := scalarString(getPath(orig, "id"))
		link := ""
		if id != "" {
			link = kojiWeb(&extraction{root: orig, topic: x.topic, env: x.env}) + "/taskinfo?taskID=" + id
		}
		x.detailLink("Scratch build", getString(orig, "srpm"), link)
		if getString(orig, "srpm") == "" {
			x.detailLink("Task", id, link)
		}
	case strings.Contains(ttopic, "buildsys.build"):
		nvr := getString(orig, "name") + "-" + getString(orig, "version") + "-" + getString(orig, "release")
		link := ""
		if id := scalarString(getPath(orig, "build_id")); id != "" {
			link = kojiWeb(&extraction{root: orig, topic: x.topic, env: x.env}) + "/buildinfo?buildID=" + id
		}
		if nvr != "--" {
			x.detailLink("Build", nvr, link)
		}
	}
	if ev == "project.map" {
		relAnityaProject(x, getPath(x.root, "project"))
		pkg := getPath(orig, "package_listing", "package")
		if u := httpURL(getString(pkg, "review_url")); u != "" {
			x.detailLink("Review", u, u)
		}
		if u := httpURL(getString(pkg, "upstream_url")); u != "" {
			x.detailLink("Upstream", u, u)
		}
	}
}
