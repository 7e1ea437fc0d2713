package message

import "strings"

// pungiStates says how a pungi compose status reads.
var pungiStates = map[string]string{
	"STARTED": "started", "FINISHED": "finished", "FINISHED_INCOMPLETE": "finished incomplete",
	"DOOMED": "failed", "TERMINATED": "was terminated",
}

// pungiFn describes pungi-koji's notifications: compose status changes, phases, createiso and
// ostree results, and composes that could not start. The link is the compose's directory.
func pungiFn(x *extraction) {
	id := getString(x.root, "compose_id")
	loc := httpURL(getString(x.root, "location"))
	if loc != "" {
		x.url = strings.TrimSuffix(strings.TrimSuffix(loc, "/"), "/compose")
	}
	ev := strings.TrimPrefix(x.topic, "pungi.compose.")
	pungiDetails(x, ev)
	of := ""
	if id != "" {
		of = " of " + id
	}
	switch {
	case ev == "status.change":
		st := getString(x.root, "status")
		w := pungiStates[strings.ToUpper(st)]
		if w == "" {
			w = "changed status to " + strings.ToLower(st)
		}
		if id == "" || st == "" {
			return
		}
		x.summary = "pungi-koji compose of " + id + " " + w
	case ev == "createiso.targets":
		n := 0
		each(getPath(x.root, "deliverables"), func(any) { n++ })
		x.summary = "pungi-koji assigned " + itoa(n) + " createiso targets" + strings.Replace(of, " of ", " for ", 1)
	case strings.HasPrefix(ev, "createiso.image"):
		file := getString(x.root, "file")
		if i := strings.LastIndex(file, "/compose/"); i >= 0 {
			file = file[i+len("/compose/"):]
		} else if file != "" {
			file = file[strings.LastIndexByte(file, '/')+1:]
		}
		verb := "finished"
		if strings.HasSuffix(ev, "fail") {
			verb = "failed"
		}
		if file == "" {
			x.summary = "pungi-koji " + verb + " createiso" + strings.Replace(of, " of ", " for ", 1)
			return
		}
		x.summary = "pungi-koji " + verb + " createiso for " + file
	case ev == "ostree":
		if id == "" || getString(x.root, "commitid") == "" {
			return
		}
		s := "pungi-koji ostree compose " + id + " produced ostree commit " + getString(x.root, "commitid")
		if a := getString(x.root, "arch"); a != "" {
			s += " for " + a
		}
		if r := getString(x.root, "ref"); r != "" {
			s += " " + r
		}
		x.summary = s
	case ev == "fail.to.start":
		s := "pungi-koji failed to compose"
		if c := getString(x.root, "config"); c != "" {
			s += " from " + c
		}
		if d := getString(x.root, "detail"); d != "" {
			s += ": \"" + d + "\""
		}
		x.summary = s
	case ev == "phase.start" || ev == "phase.stop":
		verb := "started"
		if ev == "phase.stop" {
			verb = "finished"
		}
		if ph := getString(x.root, "phase_name"); ph != "" {
			x.summary = "pungi-koji " + verb + " the " + ph + " phase" + of
		}
	default:
		x.summary = "pungi-koji " + strings.ReplaceAll(ev, ".", " ") + of
	}
}

// pungiDetails adds the long form of a pungi-koji message: the compose, its status, label and
// location, and per event the phase, the images, the ostree commit or why it failed to start.
func pungiDetails(x *extraction, ev string) {
	r := x.root
	loc := httpURL(getString(r, "location"))
	x.detail("Compose", getString(r, "compose_id"))
	x.detail("Status", getString(r, "status"))
	x.detail("Label", getString(r, "compose_label"))
	x.detail("Type", getString(r, "compose_type"))
	switch {
	case ev == "createiso.targets":
		var files []string
		each(getPath(r, "deliverables"), func(d any) {
			if s, ok := d.(string); ok && s != "" {
				files = append(files, s[strings.LastIndexByte(s, '/')+1:])
			}
		})
		x.detail("Images", strings.Join(files, ", "))
	case strings.HasPrefix(ev, "createiso.image"):
		x.detail("Variant", getString(r, "variant"))
		x.detail("Arch", getString(r, "arch"))
		file := getString(r, "file")
		if i := strings.LastIndex(file, "/compose/"); i >= 0 && loc != "" {
			rel := file[i+len("/compose/"):]
			x.detailLink("Image", rel, strings.TrimSuffix(loc, "/")+"/"+rel)
		}
	case ev == "ostree":
		x.detail("Variant", getString(r, "variant"))
	case ev == "fail.to.start":
		x.detail("Target", getString(r, "target_dir"))
		x.detail("Command", strings.Join(strs(getPath(r, "command")), " "))
	}
	if loc != "" {
		x.detailLink("Location", loc, loc)
	}
}
