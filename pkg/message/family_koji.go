package message

import (
	"net/url"
	"strings"
)

// kojiWeb returns the koji web root of the instance a message came from: the body's base_url
// when it has one, else the secondary-architecture hub its "instance" names, else production.
func kojiWeb(x *extraction) string {
	if b := strings.TrimRight(getString(x.root, "base_url"), "/"); strings.HasPrefix(b, "http://") || strings.HasPrefix(b, "https://") {
		return b + "/koji"
	}
	switch inst := getString(x.root, "instance"); inst {
	case "", "primary":
	case "staging", "stg":
		return "https://koji.stg.fedoraproject.org/koji"
	default:
		if validAccount(inst) == inst && !strings.Contains(inst, ".") {
			return "https://" + inst + ".koji.fedoraproject.org/koji"
		}
	}
	if x.staging() {
		return "https://koji.stg.fedoraproject.org/koji"
	}
	return kojiHost + "/koji"
}

// kojiNVR joins the name, version and release at the rule's root ("" if one is missing).
func kojiNVR(v any) string {
	n, ver, rel := getString(v, "name"), scalarString(getPath(v, "version")), getString(v, "release")
	if n == "" || ver == "" || rel == "" {
		return ""
	}
	return n + "-" + ver + "-" + rel
}

// kojiBuildWords says what a build state change means, by the new state's number.
var kojiBuildWords = []string{"build started", "build completed", "build was deleted", "build failed", "build was canceled"}

// kojiBuildFn describes a build state change: "kevin's ansible-1.8.3-1.el7 completed".
func kojiBuildFn(x *extraction) {
	defer kojiBuildDetails(x)
	web := kojiWeb(x)
	if id := scalarString(getPath(x.root, "build_id")); id != "" {
		x.url = web + "/buildinfo?buildID=" + id
	}
	nvr := kojiNVR(x.root)
	if nvr == "" {
		return
	}
	n, ok := toInt(getPath(x.root, "new"))
	if !ok || n < 0 || n >= len(kojiBuildWords) {
		x.summary = possessive(x.agent) + "build " + nvr + " changed state"
		return
	}
	owner := x.agent
	if owner == "" {
		// Service principals such as mbs/mbs.fedoraproject.org are not accounts.
		owner, _, _ = strings.Cut(getString(x.root, "owner"), "/")
	}
	x.summary = possessive(owner) + nvr + " " + kojiBuildWords[n]
}

// kojiTaskWords says what a task state change means, by the new state's name.
var kojiTaskWords = map[string]string{
	"FREE": "is waiting", "OPEN": "started", "CLOSED": "completed", "CANCELED": "was canceled",
	"ASSIGNED": "was assigned", "FAILED": "failed",
}

// kojiTaskFn describes a task state change: "ralph's scratch build of foo-1.0-1.fc20.src.rpm
// for epel7-candidate failed".
func kojiTaskFn(x *extraction) {
	defer kojiTaskDetails(x)
	id := scalarString(getPath(x.root, "id"))
	if id == "" {
		id = scalarString(getPath(x.root, "info", "id"))
	}
	if id != "" {
		x.url = kojiWeb(x) + "/taskinfo?taskID=" + id
	}
	state := getString(x.root, "new")
	if n, ok := toInt(getPath(x.root, "new")); ok {
		state = [...]string{"FREE", "OPEN", "CLOSED", "CANCELED", "ASSIGNED", "FAILED", ""}[min(max(n, 0), 6)]
	}
	word := kojiTaskWords[strings.ToUpper(state)]
	if word == "" {
		word = "changed state"
	}
	method := getString(x.root, "method")
	if method == "" {
		method = getString(x.root, "info", "method")
	}
	owner := x.agent
	if owner == "" {
		owner, _, _ = strings.Cut(getString(x.root, "owner"), "/")
	}
	srpm := getString(x.root, "srpm")
	req, _ := getPath(x.root, "info", "request").([]any)
	var what string
	switch {
	case method == "build" && srpm != "":
		what = "build of " + srpm
		if len(req) > 2 {
			if opts, ok := req[2].(map[string]any); ok && opts["scratch"] == true {
				what = "scratch " + what
			}
		}
		if len(req) > 1 {
			if target, ok := req[1].(string); ok && target != "" {
				what += " for " + target
			}
		}
	case method != "":
		what = method + " task " + id
	default:
		what = "task " + id
	}
	x.summary = strings.TrimSpace(possessive(owner) + what + " " + word)
}

// kojiTagFn describes a tagging: "ralph's foo-1.5-2.fc16 was untagged from f16-updates-pending
// by bodhi".
func kojiTagFn(x *extraction) {
	defer kojiTagDetails(x)
	tag := getString(x.root, "tag")
	if id := scalarString(getPath(x.root, "tag_id")); id != "" {
		x.url = kojiWeb(x) + "/taginfo?tagID=" + id
	} else if tag != "" {
		x.url = kojiWeb(x) + "/taginfo?tagID=" + url.QueryEscape(tag)
	}
	nvr := kojiNVR(x.root)
	if nvr == "" || tag == "" {
		return
	}
	verb := " was tagged into "
	if strings.HasPrefix(x.topic, "buildsys.untag") {
		verb = " was untagged from "
	}
	s := possessive(x.userOf(getPath(x.root, "owner"))) + nvr + verb + tag
	if by := x.userOf(getPath(x.root, "user")); by != "" {
		s += " by " + by
	}
	x.summary = s
}

// kojiRepoFn describes a repository regeneration: "the koji repo of f19-build was initialized".
func kojiRepoFn(x *extraction) {
	web := kojiWeb(x)
	x.url = web
	if id := scalarString(getPath(x.root, "tag_id")); id != "" {
		x.url = web + "/taginfo?tagID=" + id
	}
	tag := getString(x.root, "tag")
	if tag == "" {
		tag = "an unknown tag"
	}
	var s string
	switch lastWord(x.topic) {
	case "init":
		s = "koji repo of " + tag + " was initialized"
	case "done":
		s = "koji repo of " + tag + " is done"
	default:
		s = "koji repo of " + tag + " " + lastWord(x.topic)
	}
	if inst := getString(x.root, "instance"); inst != "" && inst != "primary" {
		s += " (" + inst + ")"
	}
	x.summary = s
}

// kojiPackageListFn describes a change of a tag's package list.
func kojiPackageListFn(x *extraction) {
	pkg, tag := getString(x.root, "package"), getString(x.root, "tag")
	if pkg != "" {
		x.url = kojiWeb(x) + "/packageinfo?packageID=" + url.QueryEscape(pkg)
	}
	if pkg == "" || tag == "" {
		return
	}
	s := "package list changed for " + pkg + " in " + tag
	if x.agent != "" {
		s = x.agent + " changed the package list for " + pkg + " in " + tag
	}
	if a := getString(x.root, "action"); a != "" {
		s += " (" + a + ")"
	}
	x.summary = s
}

// kojiSignFn handles an rpm signature: the agent is the build's owner and the package the
// build's, not the signed sub-package's.
func kojiSignFn(x *extraction) {
	defer kojiSignDetails(x)
	b := getPath(x.root, "build")
	x.setAgent(getPath(b, "owner_name"))
	name := getString(b, "name")
	if name == "" {
		name = getString(b, "package_name")
	}
	if name == "" {
		name = nameFromNVR(getString(b, "nvr"))
	}
	// Without the build, no package is named: the rpm is a sub-package (wine-opencl-debuginfo
	// of wine) whose source package cannot be told from its name.
	x.addArtifact(ArtifactRPM, name)
	rpm := getPath(x.root, "rpm")
	if id := scalarString(getPath(rpm, "build_id")); id != "" {
		x.url = kojiWeb(x) + "/buildinfo?buildID=" + id
	} else if id := scalarString(getPath(b, "id")); id != "" {
		x.url = kojiWeb(x) + "/buildinfo?buildID=" + id
	}
	nvr := kojiNVR(rpm)
	if nvr == "" {
		nvr = kojiNVR(getPath(x.root, "info"))
	}
	if nvr == "" {
		return
	}
	if arch := getString(rpm, "arch"); arch != "" {
		nvr += "." + arch
	}
	s := possessive(x.agent) + nvr + " was signed"
	if k := getString(x.root, "sigkey"); k != "" {
		s += " with key " + k
	}
	x.summary = s
}

// kojiDistGitCommit turns a koji build source ("git+https://src.fedoraproject.org/rpms/foo.git#sha",
// "git://pkgs.fedoraproject.org/rpms/foo?#sha") into the commit's short id and its dist-git page
// ("" when the source is not Fedora dist-git).
func kojiDistGitCommit(src string) (short, page string) {
	repo, sha, ok := strings.Cut(src, "#")
	if !ok || len(sha) < 7 || strings.Trim(sha, "0123456789abcdef") != "" {
		return "", ""
	}
	repo = strings.TrimSuffix(strings.TrimSuffix(repo, "?"), ".git")
	for _, p := range []string{"git+https://", "git+http://", "git://", "https://", "http://"} {
		repo = strings.TrimPrefix(repo, p)
	}
	host, path, _ := strings.Cut(repo, "/")
	path = strings.TrimSuffix(strings.TrimPrefix(path, "git/"), ".git")
	if path == "" || strings.ContainsAny(path, "?# ") {
		return "", ""
	}
	short = sha[:min(len(sha), 12)]
	switch host {
	case "src.fedoraproject.org", "pkgs.fedoraproject.org":
		return short, "https://src.fedoraproject.org/" + path + "/c/" + sha
	case "src.stg.fedoraproject.org", "pkgs.stg.fedoraproject.org":
		return short, "https://src.stg.fedoraproject.org/" + path + "/c/" + sha
	}
	return short, ""
}

// kojiTaskStates names koji's task states by number.
var kojiTaskStates = []string{"free", "open", "closed", "canceled", "assigned", "failed"}

// kojiSubtasks adds the failed subtasks of a koji task (each linked to its page) and the state
// of each architecture's build: "x86_64 closed, ppc64le failed, s390x open".
func kojiSubtasks(x *extraction, children any, web string) {
	var arches []string
	failed := 0
	each(children, func(c any) {
		n, ok := toInt(getPath(c, "state"))
		if !ok || n < 0 || n >= len(kojiTaskStates) {
			return
		}
		arch, method := getString(c, "arch"), getString(c, "method")
		if n == 5 && failed < 3 {
			failed++
			u := getString(c, "url")
			if httpURL(u) == "" {
				u = ""
				if id := scalarString(getPath(c, "id")); id != "" {
					u = web + "/taskinfo?taskID=" + id
				}
			}
			what := arch
			if method != "" {
				what = strings.TrimSpace(arch + " (" + method + ")")
			}
			x.detailLink("Failed", what, u)
		}
		if method == "buildArch" && arch != "" {
			arches = append(arches, arch+" "+kojiTaskStates[n])
		}
	})
	x.detail("Arch", strings.Join(arches, ", "))
}

// kojiSource adds the commit (linked to dist-git) or the source a koji build or task was
// built from.
func kojiSource(x *extraction, src string) {
	if src == "" || strings.HasSuffix(src, ".src.rpm") {
		return
	}
	if short, page := kojiDistGitCommit(src); short != "" {
		x.detailLink("Commit", short, page)
		return
	}
	if strings.Contains(src, "://") {
		x.detail("Source", src)
	}
}

// kojiBuildDetails adds the long form of a build state change: the failed subtasks, the task,
// the dist-git commit, the target and each architecture's state.
func kojiBuildDetails(x *extraction) {
	web := kojiWeb(x)
	task := getPath(x.root, "task")
	kojiSubtasks(x, getPath(task, "children"), web)
	if id := scalarString(getPath(x.root, "task_id")); id != "" {
		u := getString(task, "url")
		if httpURL(u) == "" {
			u = web + "/taskinfo?taskID=" + id
		}
		x.detailLink("Task", id, u)
	}
	req, _ := getPath(x.root, "request").([]any)
	if len(req) > 1 {
		if src, _ := req[0].(string); strings.Contains(src, "://") || strings.HasSuffix(src, ".src.rpm") {
			kojiSource(x, src)
			if t, _ := req[1].(string); t != "" {
				x.detail("Target", t)
			}
		}
	}
	// The failed subtasks come first; each architecture's state last.
	buildMoveLast(x, "Arch")
}

// buildHasDetail reports whether the long form already has a detail labelled label.
func buildHasDetail(x *extraction, label string) bool {
	for _, d := range x.details {
		if d.Label == label {
			return true
		}
	}
	return false
}

// buildMoveLast moves the detail labelled label to the end of the long form.
func buildMoveLast(x *extraction, label string) {
	for i, d := range x.details {
		if d.Label == label {
			x.details = append(append(x.details[:i:i], x.details[i+1:]...), d)
			return
		}
	}
}

// kojiTaskDetails adds the long form of a task state change: the error, the failed subtasks,
// the architecture, the commit built and the parent task.
func kojiTaskDetails(x *extraction) {
	web := kojiWeb(x)
	info := getPath(x.root, "info")
	if fault := getString(info, "result", "faultString"); fault != "" {
		x.detail("Error", fault)
	}
	kojiSubtasks(x, getPath(info, "children"), web)
	arch := getString(info, "arch")
	req, _ := getPath(info, "request").([]any)
	if len(req) > 2 {
		if o := getString(req[2], "arch_override"); o != "" {
			arch = o + " (override)"
		}
	}
	if arch != "" && arch != "noarch" && !buildHasDetail(x, "Arch") {
		x.detail("Arch", arch)
	}
	if len(req) > 0 {
		if src, _ := req[0].(string); src != "" {
			kojiSource(x, src)
		}
	}
	if p := scalarString(getPath(info, "parent")); p != "" {
		x.detailLink("Parent", p, web+"/taskinfo?taskID="+p)
	}
}

// kojiTagDetails links the build a tagging is about (the message's link is the tag).
func kojiTagDetails(x *extraction) {
	if id := scalarString(getPath(x.root, "build_id")); id != "" {
		x.detailLink("Build", id, kojiWeb(x)+"/buildinfo?buildID="+id)
	}
}

// kojiSignDetails names the build a signed rpm belongs to.
func kojiSignDetails(x *extraction) {
	x.buildDetailNew("Build", getString(x.root, "build", "nvr"))
}

// kojiStateWord says a koji task state (a name such as "CLOSED") or build state (a number) as
// the outcome of the build: "completed", "failed", "canceled".
func kojiStateWord(v any, task bool) string {
	if task {
		s, _ := v.(string)
		return map[string]string{"FREE": "is waiting", "OPEN": "started", "CLOSED": "completed",
			"CANCELED": "was canceled", "ASSIGNED": "was assigned", "FAILED": "failed"}[strings.ToUpper(s)]
	}
	n, ok := toInt(v)
	if !ok {
		return ""
	}
	return map[int]string{0: "started", 1: "completed", 2: "was deleted", 3: "failed", 4: "was canceled"}[n]
}
