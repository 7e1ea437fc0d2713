package message

import (
	"slices"
	"strings"
)

// relengFn describes the two-week Atomic Host releases.
func relengFn(x *extraction) {
	if !strings.HasPrefix(x.topic, "releng.atomic.twoweek.") {
		return
	}
	x.url = atomicStable
	var release, compose string
	var find func(v any, depth int)
	find = func(v any, depth int) {
		m, ok := v.(map[string]any)
		if !ok || depth > 3 {
			return
		}
		if r, ok := m["release"].(string); ok && release == "" {
			release = r
		}
		if c, ok := m["compose_id"].(string); ok && compose == "" {
			compose = c
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			find(m[k], depth+1)
		}
	}
	find(x.root, 0)
	if lastWord(x.topic) != "complete" {
		x.detail("Compose", compose)
	}
	what := "Fedora Atomic Host"
	if release != "" {
		what = "Fedora " + release + " Atomic Host"
	}
	switch lastWord(x.topic) {
	case "complete":
		s := "A new " + what + " release is ready"
		if compose != "" {
			s += " (" + compose + ")"
		}
		x.summary = s
	case "begin", "start":
		x.summary = "The " + what + " two-week release process started"
	default:
		x.summary = "The " + what + " two-week release " + lastWord(x.topic)
	}
}
