package message

import "strings"

// fedimgFn describes fedimg's cloud image uploads, tests, copies and publications:
// "Fedora-Cloud-Base-24-20160710.0.x86_64 finished uploading to eu-west-1 (ami-1234fda, HVM, gp2)".
func fedimgFn(x *extraction) {
	name := getString(x.root, "image_name")
	if name == "" {
		return
	}
	x.url = httpURL(getString(x.root, "image_url"))
	fedimgDetails(x)
	dest := getString(x.root, "destination")
	extra := getPath(x.root, "extra")
	var details []string
	for _, k := range [...]string{"id", "virt_type", "vol_type"} {
		if s := getString(extra, k); s != "" {
			details = append(details, s)
		}
	}
	detail := ""
	if len(details) > 0 {
		detail = " (" + strings.Join(details, ", ") + ")"
	}
	status := strings.ToLower(getString(x.root, "status"))
	state := map[string]string{"started": "started", "completed": "finished", "failed": "failed"}[status]
	if state == "" {
		state = status
	}
	to := ""
	if dest != "" {
		to = " to " + dest
	}
	switch lastWord(x.topic) {
	case "upload":
		if state == "" {
			state = "started"
		}
		x.summary = name + " " + state + " uploading" + to + detail
	case "test":
		on := ""
		if dest != "" {
			on = " on " + dest
		}
		if state == "" {
			state = "started"
		}
		x.summary = name + " " + state + " testing" + on + detail
	case "publish":
		in := ""
		if dest != "" {
			in = " in region " + dest
		}
		x.summary = name + " was published" + in + detail
	case "copy":
		from := ""
		if src := getString(extra, "source_image_id"); src != "" {
			from = " from source image " + src
		}
		x.summary = name + " was copied" + to + from + detail
	default:
		x.summary = name + " " + strings.ReplaceAll(strings.TrimPrefix(x.topic, "fedimg."), ".", " ") + to + detail
	}
}

// fedimgDetails adds the compose an image comes from, the cloud service and the image's file.
func fedimgDetails(x *extraction) {
	id := getString(x.root, "compose", "compose_id")
	if id == "" {
		id = getString(x.root, "compose")
	}
	if id == "" {
		id = getString(x.root, "compose_id")
	}
	x.detail("Compose", id)
	x.detail("Service", getString(x.root, "service"))
	if u := httpURL(getString(x.root, "image_url")); u != "" {
		x.detailLink("Image", u[strings.LastIndexByte(u, '/')+1:], u)
	}
}
