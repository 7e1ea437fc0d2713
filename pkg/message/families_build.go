package message

import (
	"net/url"
	"strings"
)

// This file holds the summary and URL code of the build and test families: koji (buildsys),
// bodhi, copr, the CI pipelines, openQA, koschei, kerneltest, greenwave, taskotron, waiverdb,
// MBS, RATS and autocloud.

// Hosts of the production instances, where a body does not name its own.
const (
	bodhiHost      = "https://bodhi.fedoraproject.org"
	kojiHost       = "https://koji.fedoraproject.org"
	coprHost       = "https://copr.fedoraproject.org"
	coprResults    = "https://copr-be.cloud.fedoraproject.org/results"
	openqaHost     = "https://openqa.fedoraproject.org"
	koscheiHost    = "https://koschei.fedoraproject.org"
	kerneltestHost = "https://apps.fedoraproject.org/kerneltest"
	autocloudHost  = "https://apps.fedoraproject.org/autocloud"
	resultsdbHost  = "https://taskotron.fedoraproject.org/resultsdb"
	waiverdbHost   = "https://waiverdb.fedoraproject.org"
	mbsHost        = "https://mbs.fedoraproject.org"
)

// possessive renders "ralph's " for a known person and "" otherwise.
func possessive(who string) string {
	if who == "" {
		return ""
	}
	return who + "'s "
}

// --- Koji ---

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

// openqaWeb is the openQA instance of the message's environment.
func openqaWeb(x *extraction) string {
	if x.staging() {
		return "https://openqa.stg.fedoraproject.org"
	}
	return openqaHost
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

// --- Bodhi ---

// bodhiTitle names an update in a summary: its builds, else its title, else its alias.
func bodhiTitle(update any) string {
	var nvrs []string
	each(getPath(update, "builds"), func(b any) {
		if n := getString(b, "nvr"); n != "" {
			nvrs = append(nvrs, n)
		}
	})
	title := strings.Join(nvrs, " ")
	if title == "" {
		title = strings.ReplaceAll(getString(update, "title"), ",", " ")
	}
	if title == "" {
		title = getString(update, "alias")
	}
	return shorten(title, 100)
}

// bodhiUpdateURL is the update's page: its own url, else by alias, else by title (bodhi 1).
func bodhiUpdateURL(update any) string {
	if u := getString(update, "url"); strings.HasPrefix(u, "http") {
		return u
	}
	if a := getString(update, "alias"); a != "" {
		return bodhiHost + "/updates/" + url.PathEscape(a)
	}
	if t := getString(update, "title"); t != "" && !strings.ContainsAny(t, " ,") {
		return bodhiHost + "/updates/" + url.PathEscape(t)
	}
	return ""
}

// bodhiUpdateText sets the summary and URL of a message about an update.
func bodhiUpdateText(x *extraction, update any) {
	x.url = bodhiUpdateURL(update)
	title := bodhiTitle(update)
	if title == "" {
		return
	}
	owner := x.userOf(getPath(update, "user"))
	if owner == "" {
		owner = x.userOf(getPath(update, "submitter"))
	}
	who := x.agent
	alias := getString(update, "alias")
	// The update as the acting person sees it: "their update FEDORA-2019-… (foo-1.0-1.fc30)".
	object := title
	if alias != "" && alias != title {
		object = alias + " (" + title + ")"
	}
	switch {
	case owner != "" && owner == who:
		object = "their update " + object
	case owner != "":
		object = owner + "'s update " + object
	}
	ev := strings.TrimPrefix(x.topic, "bodhi.")
	var s string
	switch {
	case ev == "update.comment":
		s = who + " commented on bodhi update " + title
		if who == "" {
			s = "new comment on bodhi update " + title
		}
		if k, ok := toInt(getPath(x.root, "comment", "karma")); ok && k != 0 {
			if k > 0 {
				s += " (karma +" + itoa(k) + ")"
			} else {
				s += " (karma -" + itoa(-k) + ")"
			}
		}
	case strings.HasPrefix(ev, "update.request."):
		req := strings.TrimPrefix(ev, "update.request.")
		verb := map[string]string{"revoke": "revoked", "unpush": "unpushed", "obsolete": "obsoleted"}[req]
		switch {
		case who == "":
			s = title + " was submitted to " + req
		case verb != "":
			s = who + " " + verb + " " + object
		default:
			s = who + " submitted " + object + " to " + req
		}
	case strings.HasPrefix(ev, "update.complete."):
		s = possessive(owner) + title + " bodhi update completed push to " + strings.TrimPrefix(ev, "update.complete.")
	case ev == "update.edit":
		s = who + " edited " + object
		if who == "" {
			s = "bodhi update " + title + " was edited"
		}
	case ev == "update.eject":
		s = possessive(owner) + title + " bodhi update was ejected from the push"
		if repo := getString(x.root, "repo"); repo != "" {
			s = possessive(owner) + title + " bodhi update was ejected from the " + repo + " push"
		}
		if r := getString(x.root, "reason"); r != "" {
			s += ": " + shorten(r, 80)
		}
	case strings.HasPrefix(ev, "update.karma.threshold"):
		s = possessive(owner) + title + " bodhi update reached the karma threshold"
		if st := getString(x.root, "status"); st != "" {
			s = possessive(owner) + title + " bodhi update reached the " + st + " karma threshold"
		}
	case strings.HasPrefix(ev, "update.requirements_met."):
		s = possessive(owner) + title + " bodhi update has met the " + strings.TrimPrefix(ev, "update.requirements_met.") + " testing requirements"
	case strings.HasPrefix(ev, "update.status.testing"):
		s = possessive(owner) + title + " bodhi update is ready for testing"
	case ev == "errata.publish":
		s = getString(x.root, "subject")
		if s == "" {
			s = "an erratum was published for " + possessive(owner) + title + " bodhi update"
		}
	case who != "":
		s = who + " " + strings.ReplaceAll(ev, ".", " ") + " bodhi update " + title
	default:
		s = "bodhi update " + title + " " + strings.ReplaceAll(ev, ".", " ")
	}
	x.summary = s
}

// bodhiOverrideText describes a buildroot override.
func bodhiOverrideText(x *extraction, nvr string) {
	if nvr == "" {
		return
	}
	x.url = bodhiHost + "/overrides/" + url.PathEscape(nvr)
	verb := "submitted"
	switch lastWord(x.topic) {
	case "untag":
		verb = "expired"
	case "edit":
		verb = "edited"
	}
	if x.agent == "" {
		x.summary = "a buildroot override for " + nvr + " was " + verb
		return
	}
	x.summary = x.agent + " " + verb + " a buildroot override for " + nvr
}

// bodhiComposeText describes the composer's (formerly the masher's) progress.
func bodhiComposeText(x *extraction) {
	ev := strings.TrimPrefix(x.topic, "bodhi.")
	who, verb, noun := "bodhi composer", "composing", "composed"
	if strings.HasPrefix(ev, "mashtask.") || strings.HasPrefix(ev, "masher.") {
		who, verb, noun = "bodhi masher", "mashing", "mashed"
	}
	repo := getString(x.root, "repo")
	ok := getPath(x.root, "success") != false
	x.url = bodhiHost
	var s string
	switch ev {
	case "masher.start", "composer.start":
		n := 0
		each(getPath(x.root, "updates"), func(any) { n++ })
		agent := x.agent
		if agent == "" {
			agent = "someone"
		}
		if n > 0 {
			s = agent + " requested a push of " + itoa(n) + " updates"
		} else {
			s = agent + " requested a push of updates"
			if c := getPath(x.root, "composes"); c != nil {
				each(c, func(any) { n++ })
				s += " in " + itoa(n) + " composes"
			}
		}
	case "mashtask.start", "compose.start":
		s = who + " started a push"
	case "mashtask.mashing", "compose.composing":
		s = who + " started " + verb + " " + repo
	case "mashtask.sync.wait", "compose.sync.wait":
		s = who + " is waiting for " + repo + " to hit the master mirror"
	case "mashtask.sync.done", "compose.sync.done":
		s = who + " finished waiting for " + repo + " to hit the master mirror"
	case "mashtask.complete", "compose.complete":
		kind := getString(x.root, "ctype")
		if kind != "" {
			kind += " "
		}
		if ok {
			s = who + " successfully " + noun + " the " + kind + "repo " + repo
		} else {
			s = who + " failed to compose the " + kind + "repo " + repo
		}
	case "repo.done":
		s = who + " finished building the repo " + repo
	}
	if repo == "" && strings.Contains(s, "  ") || strings.HasSuffix(s, " ") {
		s = ""
	}
	x.summary = s
}

// bodhiSyncText describes an updates repository reaching the master mirror.
func bodhiSyncText(x *extraction) {
	rel := getString(x.root, "release")
	repo := getString(x.root, "repo")
	if rel == "" || repo == "" {
		return
	}
	modular := strings.HasSuffix(rel, "m")
	rel = strings.TrimSuffix(rel, "m")
	var product, path string
	if strings.HasPrefix(x.topic, "bodhi.updates.epel") {
		product = "EPEL " + rel
		path = "/pub/epel/" + rel + "/"
		if r, ok := strings.CutPrefix(repo, "epel-"); ok {
			path = "/pub/epel/" + r + "/" + rel + "/"
		}
	} else {
		product = "Fedora " + rel
		path = "/pub/fedora/linux/updates/" + rel + "/"
		if strings.HasSuffix(repo, "-testing") {
			path = "/pub/fedora/linux/updates/testing/" + rel + "/"
		}
	}
	what := repo
	if modular {
		what += " modular"
		path += "Modular/"
	}
	x.url = "https://download.fedoraproject.org" + path
	s := "new " + product + " " + what + " content was synced to the mirrors"
	size, del := getString(x.root, "bytes"), scalarString(getPath(x.root, "deleted"))
	switch {
	case size != "" && del != "":
		s += " (" + size + " changed, " + del + " files deleted)"
	case size != "":
		s += " (" + size + " changed)"
	}
	x.summary = s
}

// bodhiStackFn describes a change to a stack.
func bodhiStackFn(x *extraction) {
	if lastWord(x.topic) != "delete" {
		defer x.detailText("Description", getString(x.root, "stack", "description"))
	}
	name := getString(x.root, "stack", "name")
	if name == "" {
		return
	}
	x.url = bodhiHost + "/stacks/" + url.PathEscape(name)
	verb := map[string]string{"save": "updated", "delete": "deleted", "new": "created"}[lastWord(x.topic)]
	if verb == "" {
		verb = "changed"
	}
	who := x.agent
	if who == "" {
		who = "someone"
	}
	x.summary = who + " " + verb + " the bodhi stack \"" + name + "\""
}

// bodhiText sets the summary and URL of the bodhi messages that are not about a stack.
func bodhiText(x *extraction, update any) {
	switch ev := strings.TrimPrefix(x.topic, "bodhi."); {
	case update != nil:
		if ev == "errata.publish" {
			x.setAgent(getPath(update, "user"))
		}
		bodhiUpdateText(x, update)
	case has(x.root, "override"):
		ov := getPath(x.root, "override")
		nvr := getString(ov, "build", "nvr")
		if nvr == "" {
			nvr = getString(ov, "build")
		}
		if nvr == "" {
			nvr = getString(ov, "nvr")
		}
		bodhiOverrideText(x, nvr)
	case strings.HasPrefix(ev, "updates.") && strings.HasSuffix(ev, ".sync"):
		bodhiSyncText(x)
	case strings.HasPrefix(ev, "mashtask."), strings.HasPrefix(ev, "compose."), strings.HasPrefix(ev, "composer."),
		strings.HasPrefix(ev, "masher."), ev == "repo.done":
		bodhiComposeText(x)
	}
	bodhiDetails(x, update)
}

// --- Copr ---

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

// --- CI ---

// ciPipelineNames are the CentOS CI pipelines by the topic word after "ci.pipeline".
var ciPipelineNames = map[string]string{
	"allpackages": "All Packages", "allpackages-build": "All Packages (Build)", "allpackages-pr": "All Packages (PR)",
	"container": "Container", "container-pr": "Container",
}

// ciPipelineFn describes the CentOS CI pipeline messages of the Atomic and All Packages CI:
// "Commit 591b0d2f of package rpms/vim passed its functional tests in the Atomic CI pipeline
// on branch f26".
func ciPipelineFn(x *extraction) {
	defer ciPipelineDetails(x)
	words := strings.Split(strings.TrimPrefix(x.topic, "ci.pipeline."), ".")
	name := "Atomic"
	if n, ok := ciPipelineNames[words[0]]; ok {
		name, words = n, words[1:]
	}
	if len(words) == 0 {
		return
	}
	repo := getString(x.root, "repo")
	if repo == "" {
		return
	}
	rev := getString(x.root, "rev")
	var subject string
	switch {
	case strings.HasPrefix(rev, "PR-"):
		subject = "Pull request " + strings.TrimPrefix(rev, "PR-")
	case strings.HasPrefix(rev, "kojitask-"):
		subject = "Koji task " + strings.TrimPrefix(rev, "kojitask-")
	case rev != "":
		subject = "Commit " + rev[:min(len(rev), 8)]
	default:
		subject = "A change"
	}
	kind := "package"
	if ns := getString(x.root, "namespace"); ns != "" {
		if namespaceType(ns) == ArtifactContainer {
			kind = "container"
		}
		repo = ns + "/" + repo
	}
	state := words[len(words)-1]
	stage := words[:len(words)-1]
	status := strings.ToUpper(getString(x.root, "status"))
	outcome := "passed"
	switch status {
	case "FAILED", "FAILURE", "ERROR":
		outcome = "failed"
	case "ABORTED":
		outcome = "was aborted in"
	case "UNSTABLE":
		outcome = "was unstable in"
	}
	var phrase string
	switch {
	case len(stage) == 0:
		phrase = outcome + " the"
	case state == "ignore" || state == "ignored":
		phrase = "is being ignored by the"
	case len(stage) >= 3 && stage[1] == "test":
		test := stage[2] + " tests"
		where := " in the"
		if stage[0] == "compose" {
			where = " as part of a compose in the"
		} else if stage[0] == "image" {
			where = " in an image in the"
		}
		switch state {
		case "queued":
			phrase = "is queued for " + stage[2] + " testing" + where
		case "running":
			phrase = "is running its " + test + where
		default:
			phrase = strings.TrimSuffix(outcome, " in") + " its " + test + where
		}
	default:
		what := map[string]string{"package": "built", "image": "built in an image", "compose": "part of a compose"}[stage[0]]
		if what == "" {
			what = "processed by " + strings.Join(stage, " ")
		}
		switch state {
		case "queued":
			phrase = "is queued to be " + what + " in the"
		case "running":
			phrase = "is being " + what + " in the"
		default:
			phrase = strings.TrimSuffix(outcome, " in") + " being " + what + " in the"
			if stage[0] == "package" {
				phrase = strings.TrimSuffix(outcome, " in") + " building in the"
			}
		}
	}
	s := subject + " of " + kind + " " + repo + " " + phrase + " " + name + " CI pipeline"
	if b := getString(x.root, "branch"); b != "" {
		s += " on branch " + b
	}
	x.summary = s
}

// ciSpecFn describes a Fedora CI (CI messages spec) event: "fedora-ci.koji-build.tier0
// functional tests passed for foo-1.0-1.fc40".
func ciSpecFn(x *extraction) {
	defer ciSpecDetails(x)
	subject := getString(x.root, "artifact", "nvr")
	if subject == "" {
		subject = scalarString(getPath(x.root, "artifact", "id"))
		if t := getString(x.root, "artifact", "type"); subject != "" && t != "" {
			subject = t + " " + subject
		}
	}
	if subject == "" {
		return
	}
	test := strings.Trim(getString(x.root, "test", "namespace")+"."+getString(x.root, "test", "type"), ".")
	if c := getString(x.root, "test", "category"); c != "" {
		test = strings.TrimSpace(test + " " + c)
	}
	if test == "" {
		return // the rule's template names the event
	}
	var s string
	switch lastWord(x.topic) {
	case "queued":
		s = test + " tests are queued for " + subject
	case "running":
		s = test + " tests started running for " + subject
	case "complete":
		res := strings.ReplaceAll(getString(x.root, "test", "result"), "_", " ")
		if res == "" {
			res = "completed"
		}
		s = test + " tests " + res + " for " + subject
	case "error":
		s = test + " tests errored for " + subject
		if r := getString(x.root, "error", "reason"); r != "" {
			s += ": " + shorten(r, 80)
		}
	default:
		s = test + " " + strings.ReplaceAll(strings.TrimPrefix(x.topic, "ci."), ".", " ") + " for " + subject
	}
	x.summary = s
}

// --- openQA ---

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

// --- Koschei ---

// koscheiFn describes package and collection state changes.
func koscheiFn(x *extraction) {
	// The long form: the koschei package groups (often a SIG's) the package belongs to.
	defer func() { x.detail("Groups", buildJoin(getPath(x.root, "groups"), ", ")) }()
	coll := getString(x.root, "collection")
	collName := getString(x.root, "collection_name")
	if collName == "" {
		collName = coll
	}
	host := koscheiHost
	inst := getString(x.root, "koji_instance")
	suffix := ""
	if inst != "" && inst != "primary" {
		suffix = " (" + inst + ")"
		if inst == "staging" {
			host = "https://koschei.stg.fedoraproject.org"
		}
	}
	newState, old := getString(x.root, "new"), getString(x.root, "old")
	if strings.HasPrefix(x.topic, "koschei.collection.") {
		if coll != "" {
			x.url = host + "/collection/" + url.PathEscape(coll)
		}
		switch {
		case newState == "ok":
			x.summary = collName + " buildroot was fixed" + suffix
		case newState == "unresolved" || newState == "failing":
			x.summary = collName + " buildroot was broken" + suffix
		case collName != "":
			x.summary = collName + " buildroot changed from " + old + " to " + newState + suffix
		}
		return
	}
	name := getString(x.root, "name")
	if name == "" {
		return
	}
	x.url = host + "/package/" + url.PathEscape(name)
	if coll != "" {
		x.url += "?collection=" + url.QueryEscape(coll)
	}
	in := ""
	if collName != "" {
		in = " in " + collName
	}
	switch newState {
	case "failing":
		x.summary = name + "'s builds started to fail" + in + suffix
	case "ok":
		x.summary = name + "'s builds are back to normal" + in + suffix
	case "unresolved":
		x.summary = name + "'s dependencies can no longer be resolved" + in + suffix
	default:
		x.summary = name + "'s koschei state changed from " + old + " to " + newState + in + suffix
	}
}

// --- Kerneltest ---

// kerneltestFn describes kernel test uploads and new releases.
func kerneltestFn(x *extraction) {
	defer kerneltestDetails(x)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	if v := getString(x.root, "test", "kernel_version"); v != "" {
		x.url = kerneltestHost + "/kernel/" + url.PathEscape(v)
		s := who + " ran a test of kernel " + v
		if r := getString(x.root, "test", "result"); r != "" {
			s += " (" + r + ")"
		}
		x.summary = s
		return
	}
	if n := scalarString(getPath(x.root, "release", "releasenum")); n != "" {
		x.url = kerneltestHost + "/stats"
		s := who + " added release " + n + " to kerneltest"
		if sup := getString(x.root, "release", "support"); sup != "" {
			s += " (" + sup + ")"
		}
		x.summary = s
	}
}

// --- Greenwave, WaiverDB, Taskotron, RATS, MBS ---

// greenwaveFn describes a gating decision: "greenwave says GO for foo-1.0-1.fc27 in
// bodhi_update_push_stable (fedora-27): all required tests passed".
func greenwaveFn(x *extraction) {
	defer greenwaveDetails(x)
	item := getString(x.root, "subject_identifier")
	typ := getString(x.root, "subject_type")
	if item == "" {
		each(getPath(x.root, "subject"), func(e any) {
			if item == "" {
				item, typ = getString(e, "item"), getString(e, "type")
			}
		})
	}
	if item == "" {
		return
	}
	if typ != "" {
		x.url = resultsdbHost + "/results?item=" + url.QueryEscape(item) + "&type=" + url.QueryEscape(typ)
	}
	sat := getPath(x.root, "policies_satisfied")
	if sat == nil {
		sat = getPath(x.root, "policies_satisified") // the fedmsg-era spelling
	}
	verdict := "NO-GO"
	if sat == true {
		verdict = "GO"
	}
	s := "greenwave says " + verdict + " on " + item
	if c := getString(x.root, "decision_context"); c != "" {
		s += " for " + c
	}
	if p := getString(x.root, "product_version"); p != "" {
		s += " (" + p + ")"
	}
	if sum := getString(x.root, "summary"); sum != "" {
		s += ": " + sum
	}
	x.summary = s
}

// waiverdbFn describes a new waiver.
func waiverdbFn(x *extraction) {
	defer waiverdbDetails(x)
	if id := scalarString(getPath(x.root, "id")); id != "" {
		x.url = waiverdbHost + "/api/v1.0/waivers/" + id
	}
	who := x.agent
	if who == "" {
		who = "someone"
	}
	what := ""
	if tc := getString(x.root, "testcase"); tc != "" {
		what = tc
		if item := getString(x.root, "subject_identifier"); item != "" {
			what += " for " + item
		}
	} else if r := scalarString(getPath(x.root, "result_id")); r != "" {
		what = "result " + r
	}
	if what == "" {
		return
	}
	s := who + " waived " + what
	if p := getString(x.root, "product_version"); p != "" {
		s += " (" + p + ")"
	}
	if c := getString(x.root, "comment"); c != "" {
		s += ": \"" + shorten(c, 80) + "\""
	}
	x.summary = s
}

// ratsFn describes a request to rerun tests.
func ratsFn(x *extraction) {
	defer resultsdbDetail(x)
	system := lastWord(x.topic)
	who := x.agent
	if who == "" {
		who = "someone"
	}
	test, ident := getString(x.root, "test"), getString(x.root, "identifier")
	switch r := scalarString(getPath(x.root, "result_id")); {
	case ident != "" && test != "":
		x.summary = who + " requested a " + system + " run of " + test + " on " + ident
	case ident != "":
		x.summary = who + " requested a " + system + " run on " + ident
	case r != "":
		x.summary = who + " requested a " + system + " run on resultsdb result " + r
	}
}

// autocloudFn describes autocloud's image and compose tests.
func autocloudFn(x *extraction) {
	defer autocloudDetails(x)
	ev := strings.TrimPrefix(x.topic, "autocloud.")
	status := lastWord(ev)
	if strings.HasPrefix(ev, "image.") {
		name := getString(x.root, "image_name")
		if job := scalarString(getPath(x.root, "job_id")); job != "" {
			x.url = autocloudHost + "/jobs/" + job + "/output"
		} else if u := getString(x.root, "image_url"); strings.HasPrefix(u, "http") {
			x.url = u
		}
		if name == "" {
			return
		}
		if rel := getString(x.root, "release"); rel != "" {
			name += " (" + rel + ")"
		}
		if c := getString(x.root, "compose_id"); c != "" {
			name += " of compose " + c
		}
		verb := map[string]string{"running": "have started running", "aborted": "have been aborted", "failed": "failed",
			"success": "were a success", "queued": "are queued"}[status]
		if verb == "" {
			verb = status
		}
		x.summary = "the autocloud tests for " + name + " " + verb
		return
	}
	id := getString(x.root, "id")
	if id == "" {
		id = getString(x.root, "compose_id")
	}
	x.url = autocloudHost + "/"
	if job := scalarString(getPath(x.root, "compose_job_id")); job != "" {
		x.url = autocloudHost + "/jobs/" + job
	}
	if id == "" {
		return
	}
	switch status {
	case "queued":
		x.summary = id + " is queued for autocloud testing"
	case "running":
		x.summary = id + ": the autocloud tests have started running"
	case "complete":
		x.summary = id + ": the autocloud tests have completed"
		ok, _ := toInt(getPath(x.root, "results", "success"))
		bad, _ := toInt(getPath(x.root, "results", "failed"))
		if ok+bad > 0 {
			x.summary += " (" + itoa(ok) + " passed, " + itoa(bad) + " failed)"
		}
	default:
		x.summary = id + ": the autocloud tests are " + status
	}
}

// --- Long forms ---

// buildSaid reports whether the summary already says s (a detail would repeat it).
func buildSaid(x *extraction, s string) bool {
	return s != "" && strings.Contains(x.summary, s)
}

// buildDetailNew adds a one-line detail unless the summary already carries its value.
func (x *extraction) buildDetailNew(label, value string) {
	if !buildSaid(x, value) {
		x.detail(label, value)
	}
}

// buildSigned renders a karma: "+1", "-1", "0".
func buildSigned(n int) string {
	switch {
	case n > 0:
		return "+" + itoa(n)
	case n < 0:
		return "-" + itoa(-n)
	}
	return "0"
}

// buildJoin joins the non-empty scalars of the array v with sep.
func buildJoin(v any, sep string) string {
	var out []string
	each(v, func(e any) {
		if s := scalarString(e); s != "" && s != "''" {
			out = append(out, s)
		}
	})
	return strings.Join(out, sep)
}

// buildUsable is a body string with the placeholders some producers send for "nothing" removed.
func buildUsable(s string) string {
	if s == "''" || s == `""` || strings.EqualFold(s, "none") || strings.EqualFold(s, "null") {
		return ""
	}
	return s
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

// ciArch finds the architecture in a CI pipeline ref: "x86_64" or "fedora/f26/x86_64/atomic-host".
func ciArch(ref string) string {
	for p := range strings.SplitSeq(ref, "/") {
		switch p {
		case "x86_64", "aarch64", "ppc64le", "s390x", "i686", "i386", "armhfp", "armv7hl", "ppc64", "noarch":
			return p
		}
	}
	return ""
}

// ciPipelineDetails adds the long form of a CentOS CI pipeline message: the change tested
// (commit, pull request or koji task, linked), the build, the architecture and the artifacts.
func ciPipelineDetails(x *extraction) {
	repo, rev := getString(x.root, "repo"), getString(x.root, "rev")
	ns := getString(x.root, "namespace")
	if ns == "" {
		ns = "rpms"
	}
	base := "https://src.fedoraproject.org/" + url.PathEscape(ns) + "/" + url.PathEscape(repo)
	switch {
	case repo == "" || rev == "":
	case strings.HasPrefix(rev, "PR-"):
		n := strings.TrimPrefix(rev, "PR-")
		x.detailLink("Pull request", "#"+n, base+"/pull-request/"+url.PathEscape(n))
	case strings.HasPrefix(rev, "kojitask-"):
		n := strings.TrimPrefix(rev, "kojitask-")
		x.detailLink("Task", n, kojiWeb(x)+"/taskinfo?taskID="+url.QueryEscape(n))
	case strings.Trim(rev, "0123456789abcdef") == "":
		x.detailLink("Commit", rev[:min(len(rev), 12)], base+"/c/"+rev)
	}
	x.buildDetailNew("Build", buildUsable(getString(x.root, "nvr")))
	x.detail("Arch", ciArch(getString(x.root, "ref")))
	if u := getString(x.root, "image_url"); httpURL(u) != "" {
		x.detailLink("Image", getString(x.root, "image_name"), u)
	}
	if u := getString(x.root, "package_url"); httpURL(u) != "" {
		x.detailLink("Packages", u, u)
	}
}

// ciSpecDetails adds the long form of a Fedora CI (CI messages spec) message: the error, the
// log, the change tested, the architecture, scenario and note, and whom to ask.
func ciSpecDetails(x *extraction) {
	if r := getString(x.root, "error", "reason"); r != "" && !buildSaid(x, r) {
		x.detail("Error", r)
	}
	if u := getString(x.root, "error", "issue_url"); httpURL(u) != "" {
		x.detailLink("Issue", u, u)
	}
	for _, k := range []string{"log", "debug"} {
		if u := getString(x.root, "run", k); httpURL(u) != "" && u != x.url {
			x.detailLink(map[string]string{"log": "Log", "debug": "Debug"}[k], u, u)
		}
	}
	art := getPath(x.root, "artifact")
	switch getString(art, "type") {
	case "koji-build", "brew-build":
		if id := scalarString(getPath(art, "id")); id != "" && getString(art, "type") == "koji-build" {
			x.detailLink("Task", id, kojiWeb(x)+"/taskinfo?taskID="+url.QueryEscape(id))
		}
	case "pull-request", "dist-git-pr":
		id, repo := scalarString(getPath(art, "id")), getString(art, "repository")
		if httpURL(repo) != "" && id != "" {
			x.detailLink("Pull request", "#"+id, strings.TrimRight(repo, "/")+"/pull-request/"+url.PathEscape(id))
		}
		if c := getString(art, "commit_hash"); c != "" {
			x.detail("Commit", c[:min(len(c), 12)])
		}
	}
	var arches []string
	each(getPath(x.root, "system"), func(s any) {
		if a := getString(s, "architecture"); a != "" && !strings.Contains(strings.Join(arches, " "), a) {
			arches = append(arches, a)
		}
	})
	x.detail("Arch", strings.Join(arches, ", "))
	x.detail("Scenario", getString(x.root, "test", "scenario"))
	x.detail("Note", getString(x.root, "test", "note"))
	x.buildDetailNew("Pipeline", getString(x.root, "pipeline", "name"))
	if u := getString(x.root, "test", "docs"); httpURL(u) != "" && u != x.url {
		x.detailLink("Docs", u, u)
	}
	contact := getString(x.root, "contact", "name")
	if t := getString(x.root, "contact", "team"); t != "" && t != contact {
		contact = strings.TrimSpace(contact + " (" + t + ")")
	}
	link := getString(x.root, "contact", "url")
	if httpURL(link) == "" {
		link = getString(x.root, "contact", "docs")
	}
	x.detailLink("Contact", contact, link)
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

// kerneltestDetails adds the architecture, release and failed tests of a kernel test upload.
func kerneltestDetails(x *extraction) {
	t := getPath(x.root, "test")
	if t == nil {
		return
	}
	x.detail("Failed tests", buildUsable(getString(t, "failed_tests")))
	x.detail("Arch", getString(t, "arch"))
	x.detail("Release", getString(t, "release"))
	if s := getString(t, "testset"); s != "default" {
		x.detail("Test set", s)
	}
}

// greenwaveDetails adds the requirements a decision found unsatisfied, the policies it applied
// and what the previous decision said.
func greenwaveDetails(x *extraction) {
	var unsat []string
	each(getPath(x.root, "unsatisfied_requirements"), func(r any) {
		tc := getString(r, "testcase")
		if tc == "" {
			return
		}
		why := strings.TrimPrefix(getString(r, "type"), "test-result-")
		if why != "" {
			tc += " (" + why + ")"
		}
		unsat = append(unsat, tc)
	})
	x.detail("Unsatisfied", strings.Join(unsat, ", "))
	x.detail("Policies", buildJoin(getPath(x.root, "applicable_policies"), ", "))
	x.detail("Previously", getString(x.root, "previous", "summary"))
}

// resultsdbDetail links a resultsdb result by its id.
func resultsdbDetail(x *extraction) {
	if r := scalarString(getPath(x.root, "result_id")); r != "" && !buildSaid(x, "result "+r) {
		x.detailLink("Result", r, resultsdbHost+"/results/"+url.PathEscape(r))
	}
}

// waiverdbDetails adds a waiver's whole comment and the result it waives.
func waiverdbDetails(x *extraction) {
	if c := getString(x.root, "comment"); !buildSaid(x, c) {
		x.detailText("Comment", c)
	}
	resultsdbDetail(x)
	if getPath(x.root, "waived") == false {
		x.detail("Waived", "no (the waiver was revoked)")
	}
}

// autocloudDetails adds the image type and, when the link is the job, the image itself.
func autocloudDetails(x *extraction) {
	if u := getString(x.root, "image_url"); httpURL(u) != "" && u != x.url {
		x.detailLink("Image", u, u)
	}
	x.detail("Type", getString(x.root, "type"))
}

// mbsFn adds the long form of a module build state change: why it is in its state (a failed
// build's reason), the modulemd commit it builds, linked to dist-git, and the module's version.
func mbsFn(x *extraction) {
	x.detail("Reason", getString(x.root, "state_reason"))
	if short, page := kojiDistGitCommit(getString(x.root, "scmurl")); short != "" {
		x.detailLink("Commit", short, page)
	}
	x.detail("Version", scalarString(getPath(x.root, "version")))
}
