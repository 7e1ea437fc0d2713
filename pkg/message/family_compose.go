package message

import "strings"

// composePhases says what a phase of a legacy compose script was doing, and whether the phase
// belongs to the post-release Cloud/Atomic/Docker respin script.
var composePhases = map[string]struct {
	words  string
	respin bool
}{
	"mash":           {"mashing", false},
	"pungify":        {"building boot.iso for", false},
	"image":          {"building other images for", false},
	"rsync":          {"master mirror publication for", false},
	"make-updates":   {"", true},
	"cloudimg-build": {"building images for", true},
	"mash-atomic":    {"Atomic updates mash for", true},
	"atomic-lorax":   {"Atomic lorax run for", true},
	"cloudimg-stage": {"staging images for", true},
	"atomic-stage":   {"staging the Atomic tree for", true},
}

// composeFn describes a legacy compose message: compose.<branch>[.<phase>].<start|complete>,
// such as "Completed master mirror publication for Fedora Rawhide (arm) compose
// Fedora-Rawhide-20171204.n.0".
func composeFn(x *extraction) {
	words := strings.Split(strings.TrimPrefix(x.topic, "compose."), ".")
	if len(words) < 2 {
		return
	}
	topicBranch, state := words[0], words[len(words)-1]
	phase := strings.Join(words[1:len(words)-1], ".")
	verb := "Completed"
	switch state {
	case "start", "begin":
		verb = "Started"
	case "complete", "done", "stop", "end", "finish":
	case "fail", "failed", "error":
		verb = "Failed"
	default:
		verb = strings.ToUpper(state[:1]) + state[1:]
	}
	product := getString(x.root, "short")
	branch := getString(x.root, "branch")
	if product == "" {
		product = "Fedora"
		// "Modular-Rawhide" is the Rawhide branch of the Fedora-Modular product.
		if pre, rest, ok := strings.Cut(branch, "-"); ok && rest != "" {
			product, branch = "Fedora-"+pre, rest
		}
	}
	if branch == "" {
		branch = map[string]string{"epelbeta": "EPEL Beta"}[topicBranch]
		if branch == "" {
			branch = topicBranch
		}
	}
	if branch != "" && strings.Trim(branch, "abcdefghijklmnopqrstuvwxyz") == "" {
		branch = strings.ToUpper(branch[:1]) + branch[1:]
	}
	what := product + " " + branch
	if a := getString(x.root, "arch"); a != "" {
		what += " (" + a + ")"
	}
	p, known := composePhases[phase]
	if p.respin {
		what += " post-release Cloud/Atomic/Docker respin"
	}
	what += " compose"
	if id := getString(x.root, "compose_id"); id != "" {
		what += " " + id
	}
	switch {
	case p.words != "":
		what = p.words + " " + what
	case !known && phase != "":
		what = strings.NewReplacer(".", " ", "-", " ").Replace(phase) + " for " + what
	}
	x.summary = verb + " " + what
	composeDetails(x, getString(x.root, "compose_id"), getString(x.root, "location"))
	if u := httpURL(getString(x.root, "location")); u != "" {
		x.url = u
	} else {
		x.url = composeHost
	}
}

// composeDetails adds the compose a legacy compose message is about and where it is.
func composeDetails(x *extraction, id, location string) {
	x.detail("Compose", id)
	if loc := httpURL(location); loc != "" {
		x.detailLink("Location", loc, loc)
	}
}
