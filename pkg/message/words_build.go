package message

import (
	"net/url"
	"strings"
)

// Helpers the build and test families share (bodhi, koji, copr, CI, openQA, koschei,
// kerneltest, greenwave, WaiverDB, RATS): the long form's small words.

// buildSaid reports whether the summary already says s (a detail would repeat it).
func buildSaid(x *extraction, s string) bool {
	return s != "" && strings.Contains(x.summary, s)
}

// buildDetailNew adds a one-line detail unless the summary already carries its value.
func (x *extraction) buildDetailNew(label, value string) {
	if !buildSaid(x, value) {
		x.detail(label, value)
	}
}

// buildSigned renders a karma: "+1", "-1", "0".
func buildSigned(n int) string {
	switch {
	case n > 0:
		return "+" + itoa(n)
	case n < 0:
		return "-" + itoa(-n)
	}
	return "0"
}

// buildJoin joins the non-empty scalars of the array v with sep.
func buildJoin(v any, sep string) string {
	var out []string
	each(v, func(e any) {
		if s := scalarString(e); s != "" && s != "''" {
			out = append(out, s)
		}
	})
	return strings.Join(out, sep)
}

// buildUsable is a body string with the placeholders some producers send for "nothing" removed.
func buildUsable(s string) string {
	if s == "''" || s == `""` || strings.EqualFold(s, "none") || strings.EqualFold(s, "null") {
		return ""
	}
	return s
}

// resultsdbDetail links a resultsdb result by its id.
func resultsdbDetail(x *extraction) {
	if r := scalarString(getPath(x.root, "result_id")); r != "" && !buildSaid(x, "result "+r) {
		x.detailLink("Result", r, resultsdbHost+"/results/"+url.PathEscape(r))
	}
}
