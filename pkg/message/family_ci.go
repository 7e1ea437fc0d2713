package message

import (
	"net/url"
	"strings"
)

// ciSpecArtifacts adds the artifact a Fedora CI message (the CI messages spec) is about: the
// build, the builds of a group, or the dist-git repository of a pull request.
func ciSpecArtifacts(x *extraction) {
	switch getString(x.root, "artifact", "type") {
	case "koji-build", "brew-build":
		name := getString(x.root, "artifact", "component")
		if name == "" {
			name = nameFromNVR(getString(x.root, "artifact", "nvr"))
		}
		x.addArtifact(ArtifactRPM, name)
	case "koji-build-group":
		each(getPath(x.root, "artifact", "builds"), func(b any) {
			x.addArtifact(ArtifactRPM, getString(b, "component"))
		})
	case "pull-request", "dist-git-pr":
		if t := namespaceType(getString(x.root, "artifact", "repository_namespace")); t != "" {
			x.addArtifact(t, getString(x.root, "artifact", "repository"))
		}
	}
}

// ciLegacyFn describes the CI messages that predate the CI messages spec; of those, only the
// pipeline's (ci.pipeline.*) have a sentence of their own.
func ciLegacyFn(x *extraction) {
	if strings.HasPrefix(x.topic, "ci.pipeline.") {
		ciPipelineFn(x)
	}
}

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

// allpackagesFn describes the All Packages CI pipeline of a dist-git commit.
func allpackagesFn(x *extraction) {
	x.url = httpURL(getString(x.root, "build_url"))
	repo := getString(x.root, "repo")
	if repo == "" {
		return
	}
	if ns := getString(x.root, "namespace"); ns != "" {
		repo = ns + "/" + repo
	}
	what := "package " + repo
	if rev := getString(x.root, "rev"); rev != "" {
		what = "Commit " + shortSHA(rev) + " of package " + repo
	}
	branch := ""
	if b := getString(x.root, "branch"); b != "" {
		branch = " on branch " + b
	}
	var verb string
	switch st := strings.ToUpper(getString(x.root, "status")); {
	case lastWord(x.topic) == "running":
		verb = "is running through"
	case st == "SUCCESS":
		verb = "passed"
	case st == "ABORTED":
		verb = "was aborted in"
	case st == "":
		verb = lastWord(x.topic) + ":"
	default:
		verb = "failed"
	}
	x.summary = what + " " + verb + " the All Packages CI pipeline" + branch
	if rev := getString(x.root, "rev"); len(rev) > 8 {
		link := ""
		if ns := getString(x.root, "namespace"); ns != "" {
			link = "https://src.fedoraproject.org/" + ns + "/" + getString(x.root, "repo") + "/c/" + rev
		}
		x.detailLink("Commit", rev, link)
	}
}
