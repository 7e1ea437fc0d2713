package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func cnd(f Field, values ...string) Condition { return Condition{Field: f, Values: values} }

func neg(c Condition) Condition { c.Negate = true; return c }

func withOp(c Condition, op Op) Condition { c.Op = op; return c }

func TestValidateConditions(t *testing.T) {
	t.Parallel()
	ok := cnd(FieldUser, Me)
	for _, tc := range []struct {
		name  string
		conds []Condition
		err   string // substring of the error; "" means valid
	}{
		// The presets of the UI are all valid.
		{"artifacts I own", []Condition{cnd(FieldOwned, Me), neg(cnd(FieldAgent, Me))}, ""},
		{"my groups", []Condition{withOp(cnd(FieldOwned, MyGroups, "group:python-sig", "alice"), OpIn)}, ""},
		{"events about me", []Condition{ok, neg(cnd(FieldAgent, Me)), neg(cnd(FieldApp, "badges", "fas"))}, ""},
		{"topic globs", []Condition{cnd(FieldTopic, "org.fedoraproject.*.bodhi.update.*", "a.b.c", "x?[ab][!c][a-z]")}, ""},
		{"topic in", []Condition{withOp(cnd(FieldTopic, "org.fedoraproject.prod.*"), OpIn)}, ""},
		{"severity at least", []Condition{cnd(FieldSeverity, "warning")}, ""},
		{"severity in numbers", []Condition{withOp(cnd(FieldSeverity, "10", "40", "Error"), OpIn)}, ""},
		{"body eq", []Condition{{Field: FieldBody, Op: OpEq, Path: "builds[0].nvr", Values: []string{"x"}}}, ""},
		{"body regex", []Condition{{Field: FieldBody, Op: OpRegex, Path: "update.title", Values: []string{`^kernel-\d`}}}, ""},
		{"typed artifact", []Condition{{Field: FieldArtifact, Values: []string{"kernel"}, ArtifactType: "rpms"}}, ""},

		// Structure of the filter.
		{"no conditions", nil, "filter: no conditions"},
		{"all negated", []Condition{neg(ok), neg(cnd(FieldApp, "x"))}, "filter: every condition is negated"},
		{"too many conditions", make([]Condition, MaxConditions+1), "more than the limit"},

		// Fields and operators.
		{"unknown field", []Condition{ok, cnd("colour", "red")}, `condition 1 (colour): unknown field "colour"`},
		{"no field", []Condition{cnd("", "red")}, "condition 0 (): no field"},
		{"unknown op", []Condition{withOp(ok, "like")}, `condition 0 (user): operator "like" not allowed`},
		{"op not for field", []Condition{withOp(cnd(FieldApp, "bodhi"), OpGlob)}, `condition 0 (app): operator "glob" not allowed (allowed: in)`},
		{"regex on topic", []Condition{withOp(cnd(FieldTopic, "a"), OpRegex)}, "not allowed"},

		// Values.
		{"no values", []Condition{cnd(FieldApp)}, "condition 0 (app): no values"},
		{"empty value", []Condition{cnd(FieldApp, "bodhi", "")}, "empty value"},
		{"too many values", []Condition{cnd(FieldApp, make([]string, MaxValues+1)...)}, "more than the limit"},
		{"value too long", []Condition{cnd(FieldApp, strings.Repeat("a", MaxValueLen+1))}, "longer than the limit"},
		{"bad glob", []Condition{ok, ok, cnd(FieldTopic, "[z-a]")}, `condition 2 (topic): bad glob "[z-a]": reversed range z-a: it would match nothing`},
		{"reversed range in a class", []Condition{cnd(FieldTopic, "a.[a-z9-0]")}, `bad glob "a.[a-z9-0]": reversed range 9-0`},
		{"bad severity", []Condition{cnd(FieldSeverity, "25")}, `bad severity "25"`},
		{"bad severity name", []Condition{cnd(FieldSeverity, "critical")}, `bad severity "critical"`},
		{"at_least two values", []Condition{cnd(FieldSeverity, "info", "error")}, "exactly one value"},

		// Placeholders.
		{"me on app", []Condition{cnd(FieldApp, Me)}, `"@me" makes no sense on a app condition`},
		{"me on topic", []Condition{cnd(FieldTopic, Me)}, "makes no sense"},
		{"mygroups on user", []Condition{cnd(FieldUser, MyGroups)}, "unknown placeholder"},
		{"group on agent", []Condition{cnd(FieldAgent, "group:x")}, "names a group"},
		{"owned unknown placeholder", []Condition{cnd(FieldOwned, "@us")}, "unknown placeholder"},
		{"owned empty group", []Condition{cnd(FieldOwned, "group:")}, "names no group"},

		// Body.
		{"body without path", []Condition{cnd(FieldBody, "x")}, "condition 0 (body): no path"},
		{"bad path", []Condition{{Field: FieldBody, Path: "a..b", Values: []string{"x"}}}, `bad path "a..b"`},
		{"bad index", []Condition{{Field: FieldBody, Path: "a[x]", Values: []string{"x"}}}, "bad index"},
		{"bad regex", []Condition{{Field: FieldBody, Op: OpRegex, Path: "a", Values: []string{"("}}}, `bad regex "("`},
		{"regex too long", []Condition{{Field: FieldBody, Op: OpRegex, Path: "a", Values: []string{strings.Repeat("a", MaxRegexLen+1)}}}, "longer than the limit"},
		{"eq two values", []Condition{{Field: FieldBody, Op: OpEq, Path: "a", Values: []string{"x", "y"}}}, "exactly one value"},
		{"path elsewhere", []Condition{{Field: FieldApp, Path: "a", Values: []string{"x"}}}, "path is only allowed"},

		// Artifact types.
		{"type elsewhere", []Condition{{Field: FieldApp, ArtifactType: "rpms", Values: []string{"x"}}}, "artifact_type is only allowed"},
		{"bad type", []Condition{{Field: FieldArtifact, ArtifactType: "RPM S", Values: []string{"x"}}}, "bad artifact type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateConditions(tc.conds)
			if tc.err == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.err)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func TestValidationErrorUnwrapsCause(t *testing.T) {
	t.Parallel()
	err := ValidateConditions([]Condition{{Field: FieldBody, Op: OpRegex, Path: "a", Values: []string{"("}}})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, 0, ve.Condition)
	require.Equal(t, FieldBody, ve.Field)
	require.Error(t, errors.Unwrap(err))
}

func TestFilterValidate(t *testing.T) {
	t.Parallel()
	f := Filter{ID: 1, User: "alice", Enabled: true, Conditions: []Condition{cnd(FieldUser, Me)}}
	require.NoError(t, f.Validate())

	noUser := f
	noUser.User = ""
	require.EqualError(t, noUser.Validate(), "filter: no user")

	placeholder := f
	placeholder.User = Me
	require.ErrorContains(t, placeholder.Validate(), "not an account name")

	many := f
	many.Destinations = make([]int64, MaxDestinations+1)
	require.ErrorContains(t, many.Validate(), "destinations")
}

func TestParsePath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		want []pathSeg // nil means an error
	}{
		{"a", []pathSeg{{key: "a", index: -1}}},
		{"update.status", []pathSeg{{key: "update", index: -1}, {key: "status", index: -1}}},
		{"builds[0].nvr", []pathSeg{{key: "builds", index: -1}, {index: 0}, {key: "nvr", index: -1}}},
		{"[2][3]", []pathSeg{{index: 2}, {index: 3}}},
		{"a-b.c_d", []pathSeg{{key: "a-b", index: -1}, {key: "c_d", index: -1}}},
		{"", nil},
		{".a", nil},
		{"a.", nil},
		{"a..b", nil},
		{"a[", nil},
		{"a[]", nil},
		{"a[-1]", nil},
		{"a[01]", nil},
		{"a]", nil},
		{"a[0]b", nil},
		{strings.Repeat("a.", MaxPathDepth) + "a", nil},
	} {
		got, err := parsePath(tc.path)
		if tc.want == nil {
			require.Error(t, err, tc.path)
			continue
		}
		require.NoError(t, err, tc.path)
		require.Equal(t, tc.want, got, tc.path)
	}
}

func TestGlobSemantics(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern, topic string
		want           bool
	}{
		// * crosses dots, as in fnmatch.
		{"org.fedoraproject.*", "org.fedoraproject.prod.bodhi.update.comment", true},
		{"*.bodhi.*", "org.fedoraproject.prod.bodhi.update.comment", true},
		{"org.fedoraproject.*.bodhi.update.*", "org.fedoraproject.prod.bodhi.update.comment", true},
		{"org.fedoraproject.*.bodhi.update.*", "org.fedoraproject.prod.koji.update.x", false},
		{"org.fedoraproject.prod.bodhi.*", "org.fedoraproject.stg.bodhi.update", false},
		{"a.?.c", "a.b.c", true},
		{"a.?.c", "a.bb.c", false},
		{"a.[bc].d", "a.c.d", true},
		{"a.[!bc].d", "a.c.d", false},
		{"a.[!bc].d", "a.x.d", true},
		{"a.[a-c].d", "a.b.d", true},
		// Braces and backslashes are literal, as in fnmatch.
		{"a.{b,c}*", "a.{b,c}.d", true},
		{"a.{b,c}*", "a.b.d", false},
		{`a\*`, `a\b`, true},
		{"*", "", true},
	} {
		g, err := compileGlob(tc.pattern)
		require.NoError(t, err, tc.pattern)
		require.Equal(t, tc.want, g.match(tc.topic), "%s ~ %s", tc.pattern, tc.topic)
	}
}

func TestParseSeverity(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"debug": 10, "INFO": 20, "Warning": 30, "error": 40, "10": 10, "40": 40} {
		got, err := ParseSeverity(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, in := range []string{"", "0", "50", "fatal", " info"} {
		_, err := ParseSeverity(in)
		require.Error(t, err, in)
	}
}

func TestParseFilter(t *testing.T) {
	t.Parallel()
	f, err := ParseFilter([]byte(`{"id": 7, "user": "alice", "name": "mine", "enabled": true,
		"destinations": [1],
		"conditions": [{"field": "owned", "values": ["@me"]}, {"field": "agent", "values": ["@me"], "negate": true}]}`))
	require.NoError(t, err)
	require.Equal(t, int64(7), f.ID)
	require.Len(t, f.Conditions, 2)
	require.True(t, f.Conditions[1].Negate)

	_, err = ParseFilter([]byte(`{"id": 7, "user": "alice", "colour": "red", "conditions": []}`))
	require.ErrorContains(t, err, "decode filter")
	_, err = ParseFilter([]byte(`{"id": 7, "user": "alice", "conditions": [{"field": "user", "values": ["@me"]}]} {}`))
	require.ErrorContains(t, err, "data after")
	_, err = ParseFilter([]byte(`{"id": 7, "user": "alice", "conditions": [{"field": "user", "values": []}]}`))
	require.ErrorContains(t, err, "condition 0 (user): no values")

	cs, err := ParseConditions([]byte(`[{"field": "topic", "values": ["org.*"]}]`))
	require.NoError(t, err)
	require.Equal(t, OpGlob, cs[0].EffectiveOp())
	_, err = ParseConditions([]byte(`[{"field": "topic", "values": ["[z-a]"]}]`))
	require.ErrorIs(t, err, ErrInvalid)
}
