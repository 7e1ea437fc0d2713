package message

import "strings"

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

// autocloudDetails adds the image type and, when the link is the job, the image itself.
func autocloudDetails(x *extraction) {
	if u := getString(x.root, "image_url"); httpURL(u) != "" && u != x.url {
		x.detailLink("Image", u, u)
	}
	x.detail("Type", getString(x.root, "type"))
}
