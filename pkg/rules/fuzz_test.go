package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

// fuzzSeedFilters returns filters in their JSON form as the web API receives them: the UI
// presets and some hand-written ones, valid and not.
func fuzzSeedFilters() []string {
	return []string{
		`{"id": 1, "user": "alice", "name": "artifacts I own", "enabled": true, "destinations": [1],
	  "conditions": [{"field": "owned", "values": ["@me"]}, {"field": "agent", "values": ["@me"], "negate": true}]}`,
		`{"id": 2, "user": "alice", "name": "my groups", "enabled": true, "destinations": [1, 2],
	  "conditions": [{"field": "owned", "op": "in", "values": ["@mygroups", "group:python-sig"], "artifact_type": "rpms"}]}`,
		`{"id": 3, "user": "alice", "name": "about me", "enabled": true, "one_shot": true, "destinations": [1],
	  "conditions": [{"field": "user", "values": ["@me"]}, {"field": "app", "values": ["badges", "fas"], "negate": true}]}`,
		`{"id": 4, "user": "bob", "name": "bodhi", "enabled": true, "destinations": [3],
	  "conditions": [{"field": "topic", "op": "glob", "values": ["org.fedoraproject.*.bodhi.update.*"]},
	                 {"field": "severity", "op": "at_least", "values": ["warning"]}]}`,
		`{"id": 5, "user": "bob", "name": "stable kernels", "enabled": true, "destinations": [3],
	  "conditions": [{"field": "artifact", "values": ["kernel"], "artifact_type": "rpms"},
	                 {"field": "body", "op": "eq", "path": "update.status", "values": ["stable"]},
	                 {"field": "body", "op": "regex", "path": "update.builds[0].nvr", "values": ["^kernel-6\\."]}]}`,
		`{"id": 6, "user": "carol", "enabled": true, "destinations": [], "conditions": [{"field": "group", "values": ["packager"]},
	  {"field": "severity", "op": "in", "values": ["10", "error"]}]}`,
		`{"id": 7, "user": "carol", "conditions": [{"field": "topic", "values": ["["]}]}`,
		`{"id": 8, "user": "carol", "conditions": [{"field": "agent", "values": ["@me"], "negate": true}]}`,
		`{"id": 9, "user": "", "conditions": []}`,
		`{"id": 10, "user": "dave", "enabled": true, "destinations": [1], "conditions": [{"field": "body", "path": "a..b", "values": ["x"]}]}`,
		`{"id": 11, "user": "bob", "name": "my groups' containers", "enabled": true, "destinations": [1],
	  "conditions": [{"field": "owned", "values": ["@mygroups"], "artifact_type": "containers"}]}`,
		`{"id": 12, "user": "bob", "enabled": true, "destinations": [2],
	  "conditions": [{"field": "owned", "values": ["group:python-sig", "alice"], "artifact_type": "rpms"},
	                 {"field": "topic", "op": "glob", "values": ["*.update.comment"]}]}`,
		`[]`, `null`, `{}`, `{"conditions": [null]}`,
	}
}

// fuzzMessage is matched against every fuzzed filter that validates.
func fuzzMessage() *message.Message {
	return &message.Message{
		Topic:     "org.fedoraproject.prod.bodhi.update.comment",
		Severity:  message.SeverityWarning,
		App:       "bodhi",
		Agent:     "bob",
		Usernames: []string{"alice", "bob"},
		Groups:    []string{"packager"},
		Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}},
		Body:      []byte(`{"update": {"status": "stable", "builds": [{"nvr": "kernel-6.1"}]}}`),
	}
}

func fuzzOwnership() ([]Ownership, []Membership) {
	return []Ownership{
			{Artifact: message.Artifact{Type: message.ArtifactRPM, Name: "kernel"}, User: "alice"},
			{Artifact: message.Artifact{Type: message.ArtifactRPM, Name: "kernel"}, Group: "python-sig"},
		}, []Membership{
			{Group: "python-sig", User: "bob"},
		}
}

// FuzzParseFilter checks that any input either fails cleanly or gives a filter that survives a
// JSON round trip, validates, compiles, and matches the same under both matchers.
func FuzzParseFilter(f *testing.F) {
	for _, s := range fuzzSeedFilters() {
		f.Add([]byte(s))
	}
	own, mem := fuzzOwnership()
	f.Fuzz(func(t *testing.T, data []byte) {
		flt, err := ParseFilter(data)
		if err != nil {
			require.NotEmpty(t, err.Error())
			return
		}
		require.NoError(t, flt.Validate())
		again, err := json.Marshal(flt)
		require.NoError(t, err)
		flt2, err := ParseFilter(again)
		require.NoError(t, err, "round trip of %s", again)
		require.Equal(t, flt, flt2)

		flt.Enabled = true
		if len(flt.Destinations) == 0 {
			flt.Destinations = []int64{1}
		}
		s := &Snapshot{Filters: []Filter{flt}, Ownership: own, Memberships: mem}
		c, err := Compile(s)
		require.NoError(t, err)
		require.Empty(t, c.Invalid())
		m := fuzzMessage()
		require.Equal(t, Naive(s).Match(m, testNow), c.Match(m, testNow))
	})
}

// FuzzValidateCondition builds one condition from fuzzed parts: validation must not panic, and a
// valid condition must compile and match the same under both matchers.
func FuzzValidateCondition(f *testing.F) {
	f.Add("topic", "glob", "org.fedoraproject.*.bodhi.*", "", "", false)
	f.Add("topic", "", "a.[!b]?.c*", "", "", false)
	f.Add("severity", "at_least", "warning", "", "", false)
	f.Add("severity", "in", "40", "", "", true)
	f.Add("user", "in", "@me", "", "", false)
	f.Add("owned", "in", "@mygroups", "", "rpms", false)
	f.Add("owned", "", "group:python-sig", "", "", false)
	f.Add("artifact", "", "kernel", "", "containers", false)
	f.Add("body", "eq", "stable", "update.status", "", false)
	f.Add("body", "regex", `^kernel-\d+\.`, "update.builds[0].nvr", "", false)
	f.Add("body", "in", "x", "[0][1].a-b", "", true)
	f.Add("app", "in", "@me", "", "", false)
	f.Add("colour", "is", "red", "x", "?", false)
	own, mem := fuzzOwnership()
	f.Fuzz(func(t *testing.T, field, op, value, path, artType string, negate bool) {
		// Several values in one string, comma-separated, so value lists get fuzzed too.
		values := strings.Split(value, ",")
		conds := []Condition{{Field: Field(field), Op: Op(op), Values: values, Path: path, ArtifactType: artType, Negate: negate}}
		if negate { // a lone negation is refused; give it a positive companion
			conds = append(conds, Condition{Field: FieldApp, Values: []string{"bodhi"}})
		}
		err := ValidateConditions(conds)
		if err != nil {
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.NotEmpty(t, ve.Error())
			return
		}
		flt := Filter{ID: 1, User: "alice", Enabled: true, Destinations: []int64{1}, Conditions: conds}
		s := &Snapshot{Filters: []Filter{flt}, Ownership: own, Memberships: mem}
		c, err := Compile(s)
		require.NoError(t, err)
		require.Empty(t, c.Invalid())
		m := fuzzMessage()
		require.Equal(t, Naive(s).Match(m, testNow), c.Match(m, testNow))
		m.Topic = value
		m.App = value
		require.Equal(t, Naive(s).Match(m, testNow), c.Match(m, testNow))
	})
}

// fnmatchRegexp translates a glob into an RE2 expression the way CPython 3.11's
// fnmatch.translate does, step for step (its chunks, its dropping of reversed ranges, its
// "never" and "any" results): the reference for FuzzGlob, written apart from parseGlob so that
// the two check each other.
func fnmatchRegexp(p string) string {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(p)
	for i, n := 0, len(rs); i < n; {
		c := rs[i]
		i++
		switch c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i
			if j < n && rs[j] == '!' {
				j++
			}
			if j < n && rs[j] == ']' {
				j++
			}
			for j < n && rs[j] != ']' {
				j++
			}
			if j >= n {
				b.WriteString(`\[`)
				continue
			}
			writeFnmatchClass(&b, fnmatchChunks(rs, i, j))
			i = j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return b.String()
}

// fnmatchChunks splits the class text rs[i:j] at its range hyphens and drops reversed ranges,
// as fnmatch.translate does: joined with "-", the chunks are the class.
func fnmatchChunks(rs []rune, i, j int) [][]rune {
	if !slices.Contains(rs[i:j], '-') {
		return [][]rune{slices.Clone(rs[i:j])}
	}
	var chunks [][]rune
	k := i + 1
	if rs[i] == '!' {
		k = i + 2
	}
	for {
		d := -1
		if k < j {
			d = slices.Index(rs[k:j], '-')
		}
		if d < 0 {
			break
		}
		k += d
		chunks = append(chunks, slices.Clone(rs[i:k]))
		i = k + 1
		k += 3
	}
	if chunk := rs[i:j]; len(chunk) > 0 {
		chunks = append(chunks, slices.Clone(chunk))
	} else {
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], '-')
	}
	for k := len(chunks) - 1; k > 0; k-- {
		if prev := chunks[k-1]; prev[len(prev)-1] > chunks[k][0] {
			chunks[k-1] = append(prev[:len(prev)-1], chunks[k][1:]...)
			chunks = slices.Delete(chunks, k, k+1)
		}
	}
	return chunks
}

// writeFnmatchClass writes the class the chunks spell, as fnmatch.translate does: nothing
// never matches, a lone "!" matches any character, a leading "!" negates.
func writeFnmatchClass(b *strings.Builder, chunks [][]rune) {
	var stuff []rune
	for k, ch := range chunks {
		if k > 0 {
			stuff = append(stuff, '-')
		}
		stuff = append(stuff, ch...)
	}
	switch {
	case len(stuff) == 0:
		b.WriteString(`[^\x00-\x{10FFFF}]`)
		return
	case string(stuff) == "!":
		b.WriteString(".")
		return
	}
	b.WriteByte('[')
	if chunks[0][0] == '!' {
		b.WriteByte('^')
		chunks[0] = chunks[0][1:]
	}
	for k, ch := range chunks {
		if k > 0 {
			b.WriteByte('-') // a range
		}
		for _, r := range ch {
			if r < utf8.RuneSelf && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte(']')
}

// FuzzGlob checks the topic glob against a translation of Python's fnmatch: a pattern is
// accepted, and then both agree on every topic, or refused for a documented reason.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"org.fedoraproject.*", "org.fedoraproject.prod.bodhi.update.comment"},
		{"*.bodhi.update.*", "org.fedoraproject.stg.bodhi.update.request.testing"},
		{"org.fedoraproject.?rod.*", "org.fedoraproject.prod.git.receive"},
		{"a.[bc].d", "a.c.d"},
		{"a.[!bc].d", "a.x.d"},
		{"a.[a-c]*", "a.b"},
		{"a.{b,c}*", "a.{b,c}.d"},
		{`a\*`, `a\b`},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"x[]-a]y", "x^y"},
		{`x[\-a]y`, "x]y"},
		{"[ab-d]", "-"},
		{"[!--]", "!"},
		{"a[z-a]b", "azb"},
		{"o.[a-z0-9_]*.x", "o.k8s.x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, topic string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(topic) {
			return
		}
		g, err := compileGlob(pattern)
		if err != nil {
			require.True(t, documentedGlobRefusal(err), "pattern %q: %v", pattern, err)
			return
		}
		re := regexp.MustCompile(fnmatchRegexp(pattern))
		require.Equal(t, re.MatchString(topic), g.match(topic), "pattern %q (regexp %s) on %q", pattern, re, topic)
	})
}

// FuzzBodyExtract checks that the compiled matcher's one-pass extraction reads what the naive
// evaluator's full parse and scalarAt read, on any body and paths (one path, the same with [0]
// inserted at each level, and a sibling, so the trie has shared prefixes and duplicate slots).
func FuzzBodyExtract(f *testing.F) {
	for _, s := range [][2]string{
		{`{"update": {"status": "stable", "builds": [{"nvr": "kernel-6.1"}]}}`, "update.builds[0].nvr"},
		{`{"a": {"b": 1}, "a": {"c": 2}}`, "a.b"},
		{`{"a": "\u00e9\ud83d\ude00\ud800", "\u0061b": 1.50e-3}`, "ab"},
		{`[[1, [2, 3]], [], [{"x": null}]]`, "[2][0].x"},
		{"{\"k\xff\": \"v\xfe\"}", "k\ufffd"},
		{`{"a": 01}`, "a"},
		{`01`, "a"},
		{`{"a": [true, false, null, -0, 1e5]} tail`, "a[4]"},
	} {
		f.Add([]byte(s[0]), s[1])
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		segs, err := parsePath(path)
		if err != nil {
			return
		}
		paths := [][]pathSeg{segs, append(segs[:len(segs):len(segs)], pathSeg{key: "x", index: -1}), segs[:1]}
		if len(segs) < MaxPathDepth {
			paths = append(paths, append([]pathSeg{{index: 0}}, segs...))
		}
		require.Equal(t, fullParseReadings(body, paths), extractReadings(body, paths), "body %q, path %q", body, path)
	})
}

// FuzzTopicGlobMatchers compares the compiled matcher (the glob trie keyed on literal prefixes,
// the leading-wildcard index) with the naive evaluator on topic globs and topics. patterns is a
// comma-separated list: each pattern gets a filter of its own, all of them share one more, the
// first is also negated beside an app condition and compared exactly (op in). The topic, each
// pattern's text and its prefixes are matched.
func FuzzTopicGlobMatchers(f *testing.F) {
	for _, s := range [][2]string{
		{"org.fedoraproject.*,org.fedoraproject.prod.*,org.[f]edora*,org.fedoraproject.prod.bodhi.update.comment[",
			"org.fedoraproject.prod.bodhi.update.comment"},
		{"*.bodhi.*,*.update.*,*.[b]odhi.*,?rg.*,[!a-c]rg.*", "org.fedoraproject.prod.bodhi.update.comment"},
		{"x[]-a]y,x[\\-a]y,[ab-d]*,[a-z0-9]*,x[", "x^y"},
		{"a[.]b,a.b,a?b,a[!.]b,a[*]b", "a.b"},
		{"[!--],[a-],[--a],[a-c-e]", "-"},
		{"a[z-a]b,a*b", "azb"},
		{"é[a-é]*,*é", "éé"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, patterns, topic string) {
		values := strings.Split(patterns, ",")
		if len(values) > 8 {
			values = values[:8]
		}
		filters := topicGlobFuzzFilters(values)
		if len(filters) == 0 {
			return
		}
		s := &Snapshot{Filters: filters, Budget: &Budget{}} // no budget: every pattern is compiled
		c, err := Compile(s)
		require.NoError(t, err)
		n := Naive(s)
		require.Empty(t, c.Invalid())
		topics := []string{topic}
		for _, v := range values {
			for k := 0; k <= len(v); k++ {
				topics = append(topics, v[:k])
			}
		}
		for _, tp := range topics {
			m := &message.Message{Topic: tp, App: "bodhi"}
			require.Equal(t, n.Match(m, testNow), c.Match(m, testNow), "patterns %q on topic %q", values, tp)
		}
	})
}

// topicGlobFuzzFilters builds FuzzTopicGlobMatchers' filters from its patterns, leaving out those
// that do not validate (a refused glob, an empty value).
func topicGlobFuzzFilters(values []string) []Filter {
	var fs []Filter
	add := func(conds ...Condition) {
		if ValidateConditions(conds) != nil {
			return
		}
		id := int64(len(fs) + 1)
		fs = append(fs, Filter{ID: id, User: fmt.Sprintf("u%d", id%3), Enabled: true, Destinations: []int64{id % 2}, Conditions: conds})
	}
	for _, v := range values {
		add(Condition{Field: FieldTopic, Values: []string{v}})
	}
	add(Condition{Field: FieldTopic, Op: OpGlob, Values: values})
	add(Condition{Field: FieldTopic, Values: values[:1], Negate: true}, Condition{Field: FieldApp, Values: []string{"bodhi"}})
	add(Condition{Field: FieldTopic, Op: OpIn, Values: values[:1]})
	return fs
}
