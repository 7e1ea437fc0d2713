package message

import (
	"slices"
	"strings"
)

// ansibleFn describes an ansible playbook run; the link is the playbook in the ansible repo.
func ansibleFn(x *extraction) {
	pb := getString(x.root, "playbook")
	if pb == "" {
		return
	}
	if i := strings.Index(pb, "/ansible/"); i >= 0 {
		pb = pb[i+len("/ansible/"):]
	}
	pb = strings.TrimPrefix(pb, "/")
	x.url = ansibleTree + pb
	who := x.agent
	switch lastWord(x.topic) {
	case "start":
		if who == "" {
			x.summary = "an ansible run of " + pb + " started"
		} else {
			x.summary = who + " started an ansible run of " + pb
		}
	case "complete":
		failed := 0
		if res, ok := getPath(x.root, "results").(map[string]any); ok {
			for _, r := range res {
				if f, isInt := toInt(getPath(r, "failures")); isInt && f > 0 {
					failed++
				} else if u, isInt := toInt(getPath(r, "unreachable")); isInt && u > 0 {
					failed++
				}
			}
		}
		ansibleFailures(x)
		s := "ansible run of " + pb + " completed"
		if who != "" {
			s = ownerOf(who) + " " + s
		} else {
			s = "an " + s
		}
		if failed > 0 {
			s += " with failures on " + itoa(failed) + " hosts"
		}
		x.summary = s
	}
}

// ansibleFailures adds the hosts an ansible run failed on or could not reach, with their counts.
func ansibleFailures(x *extraction) {
	res, _ := getPath(x.root, "results").(map[string]any)
	hosts := make([]string, 0, len(res))
	for h := range res {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	var bad []string
	for _, h := range hosts {
		f, _ := toInt(getPath(res[h], "failures"))
		u, _ := toInt(getPath(res[h], "unreachable"))
		switch {
		case f > 0 && u > 0:
			bad = append(bad, h+" ("+itoa(f)+" failed, unreachable)")
		case f > 0:
			bad = append(bad, h+" ("+itoa(f)+" failed)")
		case u > 0:
			bad = append(bad, h+" (unreachable)")
		}
	}
	x.detail("Failed", strings.Join(bad, ", "))
}
