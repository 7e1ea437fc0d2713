package message

import "strings"

// Bounds of the long form: what one message may add to every email and Matrix event it is sent
// as, whatever its producer put in the body.
const (
	// maxDetails is the most details one message has.
	maxDetails = 12
	// maxDetailValue bounds a one-line value, in bytes.
	maxDetailValue = 300
	// maxDetailText bounds a free-text value (a comment), in bytes.
	maxDetailText = 2000
)

// detail adds a one-line fact to the long form; an empty value adds nothing.
func (x *extraction) detail(label, value string) { x.addDetail(Detail{Label: label, Value: value}) }

// detailLink adds a one-line fact linking to u (dropped when u is not http or https).
func (x *extraction) detailLink(label, value, u string) {
	x.addDetail(Detail{Label: label, Value: value, URL: u})
}

// detailText adds free text written by a person, such as a comment, kept with its line breaks.
func (x *extraction) detailText(label, text string) {
	x.addDetail(Detail{Label: label, Value: text, Text: true})
}

// addDetail adds d, cleaned and bounded, unless its value is empty or the long form is full.
func (x *extraction) addDetail(d Detail) {
	if len(x.details) >= maxDetails {
		return
	}
	if d.Text {
		d.Value = cleanText(d.Value, maxDetailText)
	} else {
		d.Value = oneLineBounded(d.Value, maxDetailValue)
	}
	d.Label = oneLineBounded(d.Label, 40)
	if d.Value == "" || d.Label == "" {
		return
	}
	if d.URL != "" {
		if !strings.HasPrefix(d.URL, "https://") && !strings.HasPrefix(d.URL, "http://") {
			d.URL = ""
		}
	}
	x.details = append(x.details, d)
}

// oneLineBounded is oneLine with a bound of max bytes (cut at a rune boundary with "…").
func oneLineBounded(s string, max int) string {
	s = oneLine(s)
	if len(s) <= max {
		return s
	}
	return cutRunes(s, max) + "…"
}

// cleanText keeps free text readable and bounded: CR LF and CR become LF, other control
// characters go, trailing space goes from each line, runs of blank lines become one, and the
// whole is cut at max bytes (at a rune boundary, with "…").
func cleanText(s string, max int) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\uFFFD' {
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			if blank || len(out) == 0 {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	s = strings.TrimSpace(strings.Join(out, "\n"))
	if len(s) > max {
		s = cutRunes(s, max) + "…"
	}
	return s
}
