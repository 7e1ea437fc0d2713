package message

import (
	"slices"
	"strings"
)

// anitya takes the acting user from message.agent (an account, an OpenID URL or an address)
// and the Fedora packages of a project.
func anitya(x *extraction) {
	msg := getPath(x.root, "message")
	if a := getString(msg, "agent"); a != "" {
		x.setAgent(a)
	} else if msg == nil && has(x.root, "project") {
		// fedmsg-era version updates came from anitya's own cron job.
		x.setAgent("anitya")
	}
	fedora := func(e any) {
		if strings.EqualFold(getString(e, "distro"), "fedora") {
			x.addArtifact(ArtifactRPM, getString(e, "package_name"))
		}
	}
	switch {
	case strings.HasPrefix(x.topic, "anitya.project.map.update"), strings.HasPrefix(x.topic, "anitya.project.map.new"):
		if strings.EqualFold(getString(x.root, "distro", "name"), "fedora") {
			x.addArtifact(ArtifactRPM, getString(msg, "new"))
			if strings.HasPrefix(x.topic, "anitya.project.map.update") {
				x.addArtifact(ArtifactRPM, getString(msg, "prev"))
			}
		}
	case strings.HasPrefix(x.topic, "anitya.project.version.update"):
		if ps, ok := getPath(msg, "packages").([]any); ok {
			each(ps, fedora)
		} else {
			each(getPath(x.root, "packages"), fedora)
		}
	case strings.HasPrefix(x.topic, "anitya.project.flag"):
		each(getPath(x.root, "packages"), fedora)
	}
}

// anityaFn adds to anitya's extraction what a person reads: who did what to which project or
// distribution, or which new upstream versions were found, and the project's page.
func anityaFn(x *extraction) {
	anitya(x)
	msg := getPath(x.root, "message")
	proj := getPath(x.root, "project")
	if proj == nil {
		proj = getPath(msg, "project")
	}
	name := getString(proj, "name")
	if name == "" {
		name = getString(msg, "project")
	}
	if id := scalarString(getPath(proj, "id")); id != "" {
		x.url = anityaHost + "/project/" + id + "/"
	}
	ev := x.event()
	who := x.agent
	if who == "" {
		who = "someone"
	}
	distro := getString(msg, "distro")
	if distro == "" {
		distro = getString(x.root, "distro", "name")
	}
	if strings.HasPrefix(ev, "distro.") {
		x.url = anityaHost + "/distros"
	}
	switch ev {
	case "distro.add":
		x.summary = who + " added the distro " + quoted(distro)
	case "distro.edit":
		x.summary = who + " changed a distro name from " + quoted(getString(msg, "old")) + " to " + quoted(getString(msg, "new"))
	case "distro.remove":
		x.summary = who + " deleted the distro " + quoted(distro)
	case "project.add":
		x.summary = who + " added the project " + quoted(name) + " to anitya"
	case "project.add.tried":
		x.summary = who + " tried to add the project " + quoted(name) + " to anitya, but it already exists"
	case "project.edit":
		s := who + " edited the " + quoted(name) + " project"
		if f := strs(getPath(msg, "fields")); len(f) > 0 {
			s = who + " edited fields of the " + quoted(name) + " project: " + strings.Join(f, ", ")
		}
		x.summary = s
	case "project.remove":
		x.summary = who + " deleted the " + quoted(name) + " project"
	case "project.flag":
		x.summary = who + " flagged the project " + quoted(name)
	case "project.flag.set":
		x.url = anityaHost + "/flags"
		if f, st := scalarString(getPath(msg, "flag")), getString(msg, "state"); f != "" && st != "" {
			x.summary = who + " marked the flag " + f + " as " + st
		}
		return
	case "project.map.new":
		x.summary = who + " mapped the project " + quoted(name) + " to the package " + quoted(getString(msg, "new")) +
			" in " + quoted(distro)
	case "project.map.update":
		s := who + " updated the mapping of the " + quoted(name) + " project in " + quoted(distro)
		if p, n := getString(msg, "prev"), getString(msg, "new"); p != "" && n != "" && p != n {
			s += " from " + quoted(p) + " to " + quoted(n)
		}
		x.summary = s
	case "project.map.remove":
		x.summary = who + " deleted the mapping of the " + quoted(name) + " project on " + quoted(distro)
	case "project.version.remove":
		vs := strs(getPath(msg, "versions"))
		if v := getString(msg, "version"); v != "" {
			vs = append(vs, v)
		}
		if len(vs) == 0 {
			return
		}
		what := " deleted the version "
		if len(vs) > 1 {
			what = " deleted the versions "
		}
		x.summary = who + what + listWords(vs, 3) + " of the " + quoted(name) + " project"
	case "project.version.update":
		x.summary = anityaVersionText(x, msg, name)
	}
	anityaDetails(x, ev, msg, proj)
	if x.summary != "" && name == "" && strings.HasPrefix(ev, "project.") {
		x.summary = ""
	}
}

// anityaVersionText says which new upstream versions of a project were found, what they are
// newer than, and the Fedora packages of the project.
func anityaVersionText(x *extraction, msg any, name string) string {
	src := msg
	if src == nil {
		src = x.root // fedmsg-era bodies had the fields at the top
	}
	vs := strs(getPath(src, "upstream_versions"))
	if v := getString(src, "upstream_version"); v != "" {
		vs = []string{v}
	}
	if len(vs) == 0 {
		if v := getString(x.root, "project", "version"); v != "" {
			vs = []string{v}
		}
	}
	old := getString(src, "old_version")
	vs = slices.DeleteFunc(vs, func(v string) bool { return v == old })
	if len(vs) == 0 || name == "" {
		return ""
	}
	s := "A new version of " + quoted(name) + " was detected: " + listWords(quotedAll(vs), 3)
	if len(vs) > 1 {
		s = "New versions of " + quoted(name) + " were detected: " + listWords(quotedAll(vs), 3)
	}
	if old != "" {
		s += ", newer than " + quoted(old)
	}
	var pk []string
	for _, a := range x.arts {
		pk = append(pk, a.Name)
	}
	if len(pk) > 0 {
		s += ", packaged as " + listWords(quotedAll(pk), 3)
	}
	return s
}

// quoted puts s in double quotes ("" for an empty s).
func quoted(s string) string {
	if s == "" {
		return ""
	}
	return "\"" + s + "\""
}

// quotedAll quotes each item.
func quotedAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = quoted(s)
	}
	return out
}

// relVersions returns the new upstream versions an anitya version update names (without the
// previous one) and the previous version, from the message (or, fedmsg-era, the top level).
func relVersions(src, proj any) (vs []string, old string) {
	vs = strs(getPath(src, "upstream_versions"))
	if v := getString(src, "upstream_version"); v != "" {
		vs = []string{v}
	}
	if len(vs) == 0 {
		if v := getString(proj, "version"); v != "" {
			vs = []string{v}
		}
	}
	old = getString(src, "old_version")
	vs = slices.DeleteFunc(vs, func(v string) bool { return v == old })
	return vs, old
}

// relHomepage adds an upstream project's homepage and the backend anitya checks it with.
func relHomepage(x *extraction, proj any) {
	if h := httpURL(getString(proj, "homepage")); h != "" {
		x.detailLink("Homepage", h, h)
	}
	x.detail("Backend", getString(proj, "backend"))
}

// anityaDetails adds the long form of an anitya message: the new and previous versions, the
// removed versions, the changed fields, a flag's reason, and the project's homepage.
func anityaDetails(x *extraction, ev string, msg, proj any) {
	src := msg
	if src == nil {
		src = x.root
	}
	switch ev {
	case "project.version.update":
		vs, old := relVersions(src, proj)
		x.detail("Version", strings.Join(vs, ", "))
		x.detail("Previous", old)
	case "project.version.remove":
		if vs := strs(getPath(msg, "versions")); len(vs) > 3 {
			x.detail("Versions", strings.Join(vs, ", "))
		}
	case "project.edit":
		ch, _ := getPath(msg, "changes").(map[string]any)
		fields := make([]string, 0, len(ch))
		for f := range ch {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		for _, f := range fields {
			o, n := scalarString(getPath(ch[f], "old")), scalarString(getPath(ch[f], "new"))
			if o == "" {
				o = "(none)"
			}
			if n == "" {
				n = "(none)"
			}
			label := strings.ReplaceAll(f, "_", " ")
			x.detail(strings.ToUpper(label[:1])+label[1:], o+" → "+n)
		}
		if _, ok := ch["homepage"]; ok {
			return // the homepage is among the changes
		}
	case "project.flag":
		x.detailText("Reason", getString(msg, "reason"))
	}
	if strings.HasPrefix(ev, "project.") && ev != "project.flag.set" {
		relHomepage(x, proj)
	}
}

// relAnityaProject adds the anitya project a message is about, linked to its page.
func relAnityaProject(x *extraction, proj any) {
	link := ""
	if id := scalarString(getPath(proj, "id")); id != "" {
		link = anityaHost + "/project/" + id + "/"
	}
	x.detailLink("Project", getString(proj, "name"), link)
}
