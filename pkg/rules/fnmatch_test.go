package rules

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

// fnmatchCases is the golden table of TestFnmatchTable: patterns and the strings they were tried
// on, with Python's fnmatch.fnmatchcase answers. Regenerate it (rarely: it pins Python's
// behaviour, not ours) from the repository root with
//
//	python3 pkg/rules/testdata/fnmatch/gen.py > pkg/rules/testdata/fnmatch/cases.jsonl
const fnmatchCases = "testdata/fnmatch/cases.jsonl"

// fnmatchCase is one line of fnmatchCases.
type fnmatchCase struct {
	Pattern string `json:"pattern"`
	// Cases are [string, fnmatchcase(string, pattern)] pairs.
	Cases [][2]any `json:"cases"`
}

func readFnmatchCases(t *testing.T) []fnmatchCase {
	t.Helper()
	f, err := os.Open(fnmatchCases)
	require.NoError(t, err)
	defer f.Close()
	var out []fnmatchCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c fnmatchCase
		require.NoError(t, json.Unmarshal(sc.Bytes(), &c), sc.Text())
		out = append(out, c)
	}
	require.NoError(t, sc.Err())
	return out
}

// documentedGlobRefusal reports whether err is one of the refusals doc.go lists for globs.
func documentedGlobRefusal(err error) bool {
	return errors.Is(err, errGlobReversedRange) || errors.Is(err, errGlobNotUTF8)
}

// TestFnmatchTable checks topic globs against Python's fnmatch.fnmatchcase on the golden table:
// a pattern fmn accepts matches, under both matchers, exactly the strings fnmatch matches; a
// pattern it refuses is refused for a documented reason.
func TestFnmatchTable(t *testing.T) {
	t.Parallel()
	cases := readFnmatchCases(t)
	require.Greater(t, len(cases), 1000)
	var disagree []string
	pairs, refused := 0, 0
	for _, pc := range cases {
		conds := []Condition{{Field: FieldTopic, Op: OpGlob, Values: []string{pc.Pattern}}}
		if err := ValidateConditions(conds); err != nil {
			require.True(t, documentedGlobRefusal(err), "pattern %q refused for an undocumented reason: %v", pc.Pattern, err)
			refused++
			continue
		}
		s := &Snapshot{Filters: []Filter{{ID: 1, User: "u", Enabled: true, Destinations: []int64{1}, Conditions: conds}}}
		c, err := Compile(s)
		require.NoError(t, err)
		n := Naive(s)
		for _, sc := range pc.Cases {
			str, want := sc[0].(string), sc[1].(bool)
			m := &message.Message{Topic: str}
			pairs++
			compiled, naive := len(c.Match(m, testNow)) > 0, len(n.Match(m, testNow)) > 0
			if compiled != want || naive != want {
				disagree = append(disagree, fmt.Sprintf("%q on %q: fnmatch %v, compiled %v, naive %v", pc.Pattern, str, want, compiled, naive))
			}
		}
	}
	t.Logf("%d patterns (%d refused), %d pairs checked", len(cases), refused, pairs)
	require.Empty(t, disagree, "%d disagreements", len(disagree))
}

// TestGlobRefusals pins what is refused and how the refusal reads in the validation error.
func TestGlobRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern string
		want    error
		msg     string
	}{
		// A reversed range, alone or among other characters, negated or not.
		{"a[z-a]b", errGlobReversedRange, `condition 0 (topic): bad glob "a[z-a]b": reversed range z-a: it would match nothing`},
		{"[!z-a]", errGlobReversedRange, ""},
		{"x[bz-ac]", errGlobReversedRange, ""},
		// `a--` is the range from a to -, which is reversed.
		{"[a--]", errGlobReversedRange, ""},
		// Not UTF-8 text.
		{"a.\xff*", errGlobNotUTF8, `condition 0 (topic): bad glob "a.\xff*": not valid UTF-8`},
	} {
		err := ValidateConditions([]Condition{{Field: FieldTopic, Values: []string{tc.pattern}}})
		require.ErrorIs(t, err, tc.want, tc.pattern)
		require.ErrorIs(t, err, ErrInvalid, tc.pattern)
		if tc.msg != "" {
			require.EqualError(t, err, tc.msg)
		}
	}
}

// TestGlobFnmatchCorners covers the cases the issue found where fmn and fnmatch disagreed, and
// the prefix the trie indexes each pattern under.
func TestGlobFnmatchCorners(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, prefix string
		tail            tailKind
		yes, no         []string
	}{
		// A range may start at `]` (first in the class, so literal), `\` or `[`.
		{"x[]-a]y", "x", tailGlob, []string{"x^y", "x]y", "xay"}, []string{"x-y", "x\\y"}},
		{`x[\-a]y`, "x", tailGlob, []string{"x]y", `x\y`, "xay"}, []string{"x-y", "xby"}},
		{"[[-a]", "", tailGlob, []string{"[", "]", "a"}, []string{"b", "-"}},
		// A range among other characters, wherever it is; gobwas has no form for it.
		{"[ab-d]", "", tailRegexp, []string{"a", "b", "c", "d"}, []string{"-", "e"}},
		{"[a-z0-9]*", "", tailRegexp, []string{"a", "5x"}, []string{"-", ""}},
		{"o.[!a-c0-9]", "o.", tailRegexp, []string{"o.d", "o.-"}, []string{"o.b", "o.7"}},
		// A `-` first or last is literal.
		{"[a-]", "", tailGlob, []string{"a", "-"}, []string{"b"}},
		{"[!--]", "", tailGlob, []string{"a", "!"}, []string{"-"}},
		{"[-!]", "", tailGlob, []string{"-", "!"}, []string{"a"}},
		// `-` right after a range is literal; `--a` is a range from `-`.
		{"[a-c-e]", "", tailRegexp, []string{"b", "-", "e"}, []string{"d"}},
		{"[--a]", "", tailGlob, []string{"-", ".", "a"}, []string{"b"}},
		// `[!` always negates: `[!-#]` is neither - nor #, not a range from `!`.
		{"[!-#]", "", tailGlob, []string{"!", "$"}, []string{"-", "#"}},
		{"a[!!-#]", "a", tailGlob, []string{"a$"}, []string{"a!", "a\""}},
		{"[!-a]x", "", tailGlob, []string{"bx"}, []string{"-x", "ax"}},
		// An unclosed `[` is literal; `]` outside a class is literal.
		{"a[b*", "a[b", tailAny, []string{"a[b", "a[bc"}, []string{"ab"}},
		{"[!]", "[!]", tailNone, []string{"[!]"}, []string{"a"}},
		{"a]*", "a]", tailAny, []string{"a]"}, []string{"a"}},
		// A one-character class is that character, so it is part of the literal prefix.
		{"org.[f]edora.*", "org.fedora.", tailAny, []string{"org.fedora.x"}, []string{"org.xedora.x"}},
		{"a[*]b?", "a*b", tailGlob, []string{"a*bc"}, []string{"axbc"}},
		{"a[.][.]", "a..", tailNone, []string{"a.."}, []string{"a.x"}},
		{"[a-a]b", "ab", tailNone, []string{"ab"}, []string{"bb"}},
		// A negated one-character class is a class.
		{"a[!.]", "a", tailGlob, []string{"ax"}, []string{"a."}},
		// Backslashes and braces are literal.
		{`a\*`, `a\`, tailAny, []string{`a\b`}, []string{"ab"}},
		{"a{b,c}?", "a{b,c}", tailGlob, []string{"a{b,c}d"}, []string{"abd"}},
		{`[\]`, `\`, tailNone, []string{`\`}, []string{"]"}},
		// Characters are runes, as in Python's str.
		{"[b-é]?", "", tailGlob, []string{"éx", "zz"}, []string{"ax", "é"}},
		{"a?b", "a", tailGlob, []string{"aéb"}, []string{"a\xc3\xa9\xc3\xa9b"}},
	} {
		g, err := compileGlob(tc.pattern)
		require.NoError(t, err, tc.pattern)
		require.Equal(t, tc.prefix, g.prefix, tc.pattern)
		require.Equal(t, tc.tail, g.tail, tc.pattern)
		for _, s := range tc.yes {
			require.True(t, g.match(s), "%s ~ %s", tc.pattern, s)
		}
		for _, s := range tc.no {
			require.False(t, g.match(s), "%s !~ %s", tc.pattern, s)
		}
	}
}

// TestRegexpSource pins the RE2 translation, a leading or trailing star dropping its anchor.
func TestRegexpSource(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]string{
		"[a-z0-9]*":     `(?s)\A[a-z0-9]`,
		"*.[!_a-c]":     `(?s)\.[^\_a-c]\z`,
		"*[ab-d]?*":     `(?s)[ab-d].`,
		"[]a-c]x[a-]?y": `(?s)\A[\]a-c]x[\-a].y\z`,
	} {
		toks, err := parseGlob(pattern)
		require.NoError(t, err)
		require.Equal(t, want, regexpSource(toks), pattern)
	}
}

// TestLiteralGlobIsExact checks that a glob spelling literal text only is indexed as an exact
// topic.
func TestLiteralGlobIsExact(t *testing.T) {
	t.Parallel()
	tc, err := prepareTopic(0, []string{"a.[b].c", "x[", "y.*"}, OpGlob, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"a.b.c", "x["}, tc.exact.list)
	require.Len(t, tc.globs, 1)
}

// BenchmarkTopicGlob measures one pattern against Fedora-like topics: the literal-prefix fast
// paths, gobwas/glob, and the RE2 fallback for classes gobwas cannot express (the two "class"
// cases accept the same topics, one through each).
//
//	go test -run '^$' -bench TopicGlob -benchmem ./pkg/rules
func BenchmarkTopicGlob(b *testing.B) {
	topics := []string{
		"org.fedoraproject.prod.bodhi.update.comment",
		"org.fedoraproject.prod.buildsys.task.state.change",
		"org.fedoraproject.prod.git.receive",
		"org.centos.prod.ci.koji-build.test.complete",
		"io.pagure.prod.pagure.pull-request.comment.added",
		"org.fedoraproject.stg.bodhi.update.request.testing",
	}
	for _, tc := range []struct{ name, pattern string }{
		{"prefix-star", "org.fedoraproject.prod.bodhi.*"},
		{"inner-star", "org.fedoraproject.*.bodhi.update.*"},
		{"leading-star", "*.bodhi.update.*"},
		{"class-gobwas", "org.fedoraproject.*.[a-z]*.update.*"},
		{"class-regexp", "org.fedoraproject.*.[a-z_]*.update.*"},
		{"leading-class-gobwas", "*.[a-z]odhi.*"},
		{"leading-class-regexp", "*.[a-z_]odhi.*"},
	} {
		g, err := compileGlob(tc.pattern)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				g.match(topics[i%len(topics)])
				i++
			}
		})
	}
}

// Guard against a golden file edited by hand into something the table test cannot read.
func TestFnmatchCasesWellFormed(t *testing.T) {
	t.Parallel()
	for _, pc := range readFnmatchCases(t) {
		require.NotEmpty(t, pc.Pattern)
		for _, sc := range pc.Cases {
			_, ok1 := sc[0].(string)
			_, ok2 := sc[1].(bool)
			require.True(t, ok1 && ok2, "%q: %v", pc.Pattern, sc)
		}
		require.False(t, strings.ContainsRune(pc.Pattern, '\n'))
	}
}
