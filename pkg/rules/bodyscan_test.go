package rules

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// bodyReading is what a body condition reads at one path: the string form, ok, and whether the
// body parsed at all.
type bodyReading struct {
	S      string
	OK     bool
	Parsed bool
}

// fullParseReadings reads paths the reference way: the whole body decoded, then scalarAt.
func fullParseReadings(body []byte, paths [][]pathSeg) []bodyReading {
	var root any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	parsed := dec.Decode(&root) == nil
	out := make([]bodyReading, len(paths))
	for i, p := range paths {
		out[i].Parsed = parsed
		if parsed {
			out[i].S, out[i].OK = scalarAt(root, p)
		}
	}
	return out
}

// extractReadings reads paths in one pass, as the compiled matcher does.
func extractReadings(body []byte, paths [][]pathSeg) []bodyReading {
	bodies := make([]*bodyCond, len(paths))
	for i, p := range paths {
		bodies[i] = &bodyCond{path: p}
	}
	bp := newBodyPaths(bodies)
	var s bodyScanner
	vals := make([]bodyVal, bp.slots)
	parsed := s.extract(body, bp, vals)
	out := make([]bodyReading, len(paths))
	for i := range paths {
		out[i].Parsed = parsed
		if parsed {
			v := vals[bp.slotOf[i]]
			out[i].S, out[i].OK = string(v.b), v.ok
		}
	}
	return out
}

// requireExtractAgrees checks that one-pass extraction reads what the full parse reads, and
// returns that.
func requireExtractAgrees(t *testing.T, body []byte, paths ...string) []bodyReading {
	t.Helper()
	segs := make([][]pathSeg, len(paths))
	for i, p := range paths {
		s, err := parsePath(p)
		require.NoError(t, err, p)
		segs[i] = s
	}
	want := fullParseReadings(body, segs)
	require.Equal(t, want, extractReadings(body, segs), "body %q, paths %q", body, paths)
	return want
}

func TestBodyExtractTricky(t *testing.T) {
	t.Parallel()
	got := func(s string) bodyReading { return bodyReading{S: s, OK: true, Parsed: true} }
	missing := bodyReading{Parsed: true}
	invalid := bodyReading{}
	deep := strings.Repeat(`{"k":`, 31) + `"bottom"` + strings.Repeat(`}`, 31)
	deepPath := strings.TrimSuffix(strings.Repeat("k.", 31), ".")
	tests := []struct {
		name  string
		body  string
		paths []string
		want  []bodyReading
	}{
		// The common case: nested keys and an array index.
		{"nested", `{"update": {"status": "stable", "builds": [{"nvr": "a-1"}, {"nvr": "b-2"}]}}`,
			[]string{"update.status", "update.builds[1].nvr", "update.builds[2].nvr", "update.karma"},
			[]bodyReading{got("stable"), got("b-2"), missing, missing}},
		// Escapes are decoded, surrogate pairs joined, a lone surrogate replaced.
		{"escapes", `{"a": "x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00", "b": "\ud800x"}`,
			[]string{"a", "b"}, []bodyReading{got("x\"y\\z/\b\f\n\r\té😀"), got("\ufffdx")}},
		// A key is compared unquoted.
		{"escaped key", `{"\u0061": {"b\u00e9": 1}}`, []string{"a.bé"}, []bodyReading{got("1")}},
		// Invalid UTF-8 is replaced with U+FFFD, in keys and values.
		{"invalid utf8", "{\"k\xff\": \"v\xfe\"}", []string{"k\ufffd"}, []bodyReading{got("v\ufffd")}},
		// Valid UTF-8 is kept as it is.
		{"unicode", `{"名前": "ünïcødé ✓"}`, []string{"名前"}, []bodyReading{got("ünïcødé ✓")}},
		// Numbers are kept as written.
		{"numbers", `{"a": 1e5, "b": -0, "c": 1.50, "d": -1.5E+10, "e": 0, "f": 12345678901234567890123}`,
			[]string{"a", "b", "c", "d", "e", "f"},
			[]bodyReading{got("1e5"), got("-0"), got("1.50"), got("-1.5E+10"), got("0"), got("12345678901234567890123")}},
		// true, false and null have their own string forms.
		{"literals", `{"t": true, "f": false, "n": null}`, []string{"t", "f", "n"},
			[]bodyReading{got("true"), got("false"), got("null")}},
		// An object or array at the path, or a scalar where the path goes on, does not hold.
		{"not scalars", `{"o": {}, "a": [1], "s": "x"}`, []string{"o", "a", "s.x", "s[0]", "a.x", "o[0]"},
			[]bodyReading{missing, missing, missing, missing, missing, missing}},
		// Nested arrays, and a root array.
		{"nested arrays", `[[1, [2, 3]], [], [{"x": "y"}]]`, []string{"[0][0]", "[0][1][1]", "[1][0]", "[2][0].x", "x"},
			[]bodyReading{got("1"), got("3"), missing, got("y"), missing}},
		// The last of duplicate keys wins, whole: the earlier value's paths are gone.
		{"duplicate keys", `{"a": {"b": 1, "b": 2}, "c": {"d": 1}, "c": {"e": 2}, "f": {"g": 1}, "f": 3, "h": 3, "h": {"i": 4}}`,
			[]string{"a.b", "c.d", "c.e", "f.g", "f", "h", "h.i"},
			[]bodyReading{got("2"), missing, got("2"), missing, got("3"), missing, got("4")}},
		// A path that also has longer paths below it.
		{"prefix paths", `{"a": {"b": "c"}}`, []string{"a", "a.b", "a.b.c"}, []bodyReading{missing, got("c"), missing}},
		// Whitespace of every kind between tokens.
		{"whitespace", " \t\r\n{ \"a\" \n:\t[ 1 ,\r\"x\" ] }\n", []string{"a[1]"}, []bodyReading{got("x")}},
		// What follows the first value is ignored, as encoding/json's Decoder ignores it.
		{"trailing data", `{"a": 1}} garbage`, []string{"a"}, []bodyReading{got("1")}},
		// So a top-level "01" reads as 0 followed by ignored data.
		{"top-level 01", `01`, []string{"a"}, []bodyReading{missing}},
		// Deep nesting within MaxPathDepth.
		{"deep", deep, []string{deepPath}, []bodyReading{got("bottom")}},
		// encoding/json's nesting limit, 10000, holds; one more does not parse.
		{"nesting at the limit", strings.Repeat("[", 10000) + strings.Repeat("]", 10000), []string{"a"}, []bodyReading{missing}},
		{"nesting past the limit", strings.Repeat("[", 10001) + strings.Repeat("]", 10001), []string{"a"}, []bodyReading{invalid}},
		{"objects past the limit", `{"a":` + strings.Repeat(`{"b":`, 10000) + "1" + strings.Repeat("}", 10001), []string{"a.b"}, []bodyReading{invalid}},
		// Invalid JSON anywhere in the value, even far from the paths: no body condition holds.
		{"invalid far away", `{"a": 1, "z": [1, 2,]}`, []string{"a"}, []bodyReading{invalid}},
		{"leading zero", `{"a": 01}`, []string{"a"}, []bodyReading{invalid}},
		{"bad fraction", `{"a": 1.}`, []string{"a"}, []bodyReading{invalid}},
		{"bad exponent", `{"a": 1e}`, []string{"a"}, []bodyReading{invalid}},
		{"plus sign", `{"a": +1}`, []string{"a"}, []bodyReading{invalid}},
		{"bare minus", `-`, []string{"a"}, []bodyReading{invalid}},
		{"control character", "{\"a\": \"x\ny\"}", []string{"a"}, []bodyReading{invalid}},
		{"bad escape", `{"a": "\x"}`, []string{"a"}, []bodyReading{invalid}},
		{"short unicode escape", `{"a": "\u12"}`, []string{"a"}, []bodyReading{invalid}},
		{"unterminated string", `{"a": "x`, []string{"a"}, []bodyReading{invalid}},
		{"truncated", `{"a": {"b": 1}`, []string{"a.b"}, []bodyReading{invalid}},
		{"missing colon", `{"a" 1}`, []string{"a"}, []bodyReading{invalid}},
		{"trailing comma", `{"a": 1,}`, []string{"a"}, []bodyReading{invalid}},
		{"bad literal", `{"a": tru}`, []string{"a"}, []bodyReading{invalid}},
		{"single quotes", `{'a': 1}`, []string{"a"}, []bodyReading{invalid}},
		{"empty", ``, []string{"a"}, []bodyReading{invalid}},
		{"only whitespace", " \n", []string{"a"}, []bodyReading{invalid}},
		{"byte order mark", "\ufeff{\"a\": 1}", []string{"a"}, []bodyReading{invalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, requireExtractAgrees(t, []byte(tt.body), tt.paths...))
		})
	}
}

func TestBodyExtractReusesScanner(t *testing.T) {
	t.Parallel()
	// One msgCtx reads many bodies: nothing of one body may leak into the next reading.
	bodies := make([]*bodyCond, 2)
	for i, p := range []string{"a.b", "c"} {
		segs, err := parsePath(p)
		require.NoError(t, err)
		bodies[i] = &bodyCond{path: segs}
	}
	bp := newBodyPaths(bodies)
	var s bodyScanner
	vals := make([]bodyVal, bp.slots)
	require.True(t, s.extract([]byte(`{"a": {"b": "x"}, "c": [[[]]]}`), bp, vals))
	require.Equal(t, bodyVal{b: []byte("x"), ok: true}, vals[bp.slotOf[0]])
	require.True(t, s.extract([]byte(`{"c": 1}`), bp, vals))
	require.Equal(t, []bodyVal{{}, {b: []byte("1"), ok: true}}, []bodyVal{vals[bp.slotOf[0]], vals[bp.slotOf[1]]})
}
