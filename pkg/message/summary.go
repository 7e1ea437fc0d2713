package message

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounding a summary to one line, and the sentence of a message no rule describes.

// maxSummary bounds a summary, in bytes; longer ones are cut at a rune boundary with "…".
const maxSummary = 300

// oneLine makes s fit on one line: control characters (newlines included) become spaces, runs
// of white space collapse, and the result is bounded by maxSummary.
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == utf8.RuneError {
				return ' '
			}
			return r
		}, s)
	}
	if !clean || strings.Contains(s, "  ") || strings.TrimSpace(s) != s {
		s = strings.Join(strings.Fields(s), " ")
	}
	if len(s) > maxSummary {
		s = cutRunes(s, maxSummary) + "…"
	}
	return s
}

// cutRunes returns s cut to at most n bytes, at a rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// defaultSummary describes a message no template covered, as a sentence a person can place: the
// application, what happened (the topic after the application, in words), who did it, what it is
// about, and the object's title when the body names one at its top:
// `bodhi: update comment by ralph, about tzdata: "Fix the zone"`.
func defaultSummary(m *Message, x *extraction) string {
	var b strings.Builder
	app, _, _ := strings.Cut(x.topic, ".")
	event := x.event()
	b.WriteString(app)
	if event != "" {
		b.WriteString(": ")
		b.WriteString(strings.ReplaceAll(event, ".", " "))
	}
	if m.Agent != "" {
		b.WriteString(" by ")
		b.WriteString(m.Agent)
	}
	if pk := m.Packages(); len(pk) > 0 {
		b.WriteString(", about ")
		const maxListed = 3
		b.WriteString(strings.Join(pk[:min(len(pk), maxListed)], ", "))
		if len(pk) > maxListed {
			b.WriteString(" and " + itoa(len(pk)-maxListed) + " more")
		}
	}
	for _, k := range []string{"title", "subject", "name", "summary"} {
		if t := strings.TrimSpace(getString(x.root, k)); t != "" && len(t) <= 120 {
			b.WriteString(`: "` + t + `"`)
			break
		}
	}
	return b.String()
}
