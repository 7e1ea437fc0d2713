package message

import "strings"

// jenkinsText sets the summary and URL of a Jenkins build result.
func jenkinsText(x *extraction) {
	project := getString(x.root, "project")
	if project == "" {
		return
	}
	build := scalarString(getPath(x.root, "build"))
	var outcome string
	switch strings.TrimPrefix(x.topic, "jenkins.build.") {
	case "passed":
		outcome = "built successfully"
	case "failed":
		outcome = "failed to build"
	case "unstable":
		outcome = "built with warnings"
	case "notbuilt":
		outcome = "did not build"
	case "aborted":
		outcome = "build aborted"
	case "start":
		outcome = "started building"
	case "unknown":
		outcome = "entered an unknown state"
	default:
		outcome = strings.ReplaceAll(strings.TrimPrefix(x.topic, "jenkins."), ".", " ")
	}
	x.summary = "Jenkins project '" + project + "' " + outcome
	if build != "" {
		x.summary += " (build #" + build + ")"
		x.url = forgeJenkins + "/job/" + project + "/" + build + "/"
	}
	x.detail("Duration", getString(x.root, "took"))
}
