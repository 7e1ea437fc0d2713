package rules

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
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

// fnmatchRegexp translates a glob into a regular expression the way Python's fnmatch.translate
// does; the reference for FuzzGlob.
func fnmatchRegexp(p string) string {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i + 1
			if j < len(rs) && rs[j] == '!' {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				b.WriteString(`\[`)
				continue
			}
			body := rs[i+1 : j]
			b.WriteByte('[')
			if len(body) > 0 && body[0] == '!' {
				b.WriteByte('^')
				body = body[1:]
			}
			for _, r := range body {
				if r == '-' {
					b.WriteRune(r)
				} else {
					b.WriteString(regexp.QuoteMeta(string(r)))
				}
			}
			b.WriteByte(']')
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`\z`)
	return b.String()
}

// FuzzGlob checks the topic glob against a translation of Python's fnmatch: whenever a pattern
// is accepted, both agree on every topic.
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
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, topic string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(topic) {
			return
		}
		g, err := compileGlob(pattern)
		if err != nil {
			return
		}
		re, err := regexp.Compile(fnmatchRegexp(pattern))
		if err != nil {
			return // e.g. a reversed range, which fnmatch and gobwas treat differently
		}
		require.Equal(t, re.MatchString(topic), g.match(topic), "pattern %q (regexp %s) on %q", pattern, re, topic)
	})
}
