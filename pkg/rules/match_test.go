package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

var testNow = time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)

// testSnapshot has ownership and memberships for the semantic tests.
func testSnapshot(filters ...Filter) *Snapshot {
	rpm := func(n string) message.Artifact { return message.Artifact{Type: message.ArtifactRPM, Name: n} }
	return &Snapshot{
		Filters: filters,
		Ownership: []Ownership{
			{Artifact: rpm("kernel"), User: "alice"},
			{Artifact: rpm("python3"), Group: "python-sig"},
			{Artifact: message.Artifact{Type: message.ArtifactContainer, Name: "httpd"}, User: "alice"},
			{Artifact: rpm("bash"), User: "bob"},
			{Artifact: rpm("bad"), User: "x", Group: "y"}, // both set: ignored
		},
		Memberships: []Membership{{Group: "python-sig", User: "alice"}, {Group: "python-sig", User: "carol"}},
	}
}

func testMessage() *message.Message {
	return &message.Message{
		ID:        "m1",
		Topic:     "org.fedoraproject.prod.bodhi.update.comment",
		Severity:  message.SeverityInfo,
		App:       "bodhi",
		Agent:     "bob",
		Usernames: []string{"alice", "bob"},
		Groups:    []string{"packager"},
		Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}, {Type: message.ArtifactRPM, Name: "python3"}},
		Body:      []byte(`{"update": {"status": "testing", "karma": 3, "stable": false, "notes": null, "builds": [{"nvr": "kernel-6.1-1.fc41"}]}, "list": [1, 2]}`),
	}
}

// matchers builds every matcher under test for s.
func matchers(t *testing.T, s *Snapshot) map[string]func(*message.Message) []Match {
	t.Helper()
	n := Naive(s)
	out := map[string]func(*message.Message) []Match{
		"naive": func(m *message.Message) []Match { return n.Match(m, testNow) },
	}
	addCompiled(t, s, out)
	return out
}

func TestConditionSemantics(t *testing.T) {
	t.Parallel()
	body := func(op Op, path string, values ...string) Condition {
		return Condition{Field: FieldBody, Op: op, Path: path, Values: values}
	}
	typed := func(c Condition, typ string) Condition { c.ArtifactType = typ; return c }
	for _, tc := range []struct {
		name  string
		conds []Condition
		want  bool
	}{
		{"topic exact", []Condition{cnd(FieldTopic, "org.fedoraproject.prod.bodhi.update.comment")}, true},
		{"topic exact other", []Condition{cnd(FieldTopic, "org.fedoraproject.prod.bodhi.update.request")}, false},
		{"topic glob", []Condition{cnd(FieldTopic, "org.fedoraproject.*.bodhi.*")}, true},
		{"topic glob star first", []Condition{cnd(FieldTopic, "*.comment")}, true},
		{"topic glob no", []Condition{cnd(FieldTopic, "org.fedoraproject.*.koji.*")}, false},
		{"topic in is exact", []Condition{withOp(cnd(FieldTopic, "org.fedoraproject.*"), OpIn)}, false},
		{"app", []Condition{cnd(FieldApp, "koji", "bodhi")}, true},
		{"app no", []Condition{cnd(FieldApp, "koji")}, false},
		{"severity at least info", []Condition{cnd(FieldSeverity, "info")}, true},
		{"severity at least 30", []Condition{cnd(FieldSeverity, "30")}, false},
		{"severity in", []Condition{withOp(cnd(FieldSeverity, "debug", "info"), OpIn)}, true},
		{"severity in no", []Condition{withOp(cnd(FieldSeverity, "debug", "error"), OpIn)}, false},
		{"user me", []Condition{cnd(FieldUser, Me)}, true},
		{"user other", []Condition{cnd(FieldUser, "dave", "carol")}, false},
		{"user agent counts as involved", []Condition{cnd(FieldUser, "bob")}, true},
		{"agent me", []Condition{cnd(FieldAgent, Me)}, false},
		{"agent bob", []Condition{cnd(FieldAgent, "bob")}, true},
		{"not my own actions", []Condition{cnd(FieldUser, Me), neg(cnd(FieldAgent, Me))}, true},
		{"group", []Condition{cnd(FieldGroup, "packager")}, true},
		{"group no", []Condition{cnd(FieldGroup, "python-sig")}, false},
		{"artifact", []Condition{cnd(FieldArtifact, "kernel")}, true},
		{"artifact typed", []Condition{typed(cnd(FieldArtifact, "kernel"), "rpms")}, true},
		{"artifact wrong type", []Condition{typed(cnd(FieldArtifact, "kernel"), "containers")}, false},
		{"owned me", []Condition{cnd(FieldOwned, Me)}, true},
		{"owned me wrong type", []Condition{typed(cnd(FieldOwned, Me), "containers")}, false},
		{"owned named user", []Condition{cnd(FieldOwned, "bob")}, false},
		{"owned my groups", []Condition{cnd(FieldOwned, MyGroups)}, true},
		{"owned group", []Condition{cnd(FieldOwned, "group:python-sig")}, true},
		{"owned other group", []Condition{cnd(FieldOwned, "group:perl-sig")}, false},
		{"owned not through membership", []Condition{cnd(FieldOwned, "carol")}, false},
		{"body eq", []Condition{body(OpEq, "update.status", "testing")}, true},
		{"body eq no", []Condition{body(OpEq, "update.status", "stable")}, false},
		{"body number", []Condition{body(OpIn, "update.karma", "2", "3")}, true},
		{"body bool", []Condition{body(OpEq, "update.stable", "false")}, true},
		{"body null", []Condition{body(OpEq, "update.notes", "null")}, true},
		{"body index", []Condition{body(OpRegex, "update.builds[0].nvr", `^kernel-6\.`)}, true},
		{"body index out of range", []Condition{body(OpRegex, "update.builds[1].nvr", `.`)}, false},
		{"body object is not scalar", []Condition{body(OpRegex, "update", `.`)}, false},
		{"body missing", []Condition{body(OpEq, "update.nope", "x")}, false},
		{"body missing negated", []Condition{cnd(FieldApp, "bodhi"), neg(body(OpEq, "update.nope", "x"))}, true},
		{"body key on array", []Condition{body(OpEq, "list.x", "1")}, false},
		{"negated app", []Condition{cnd(FieldUser, Me), neg(cnd(FieldApp, "bodhi"))}, false},
		{"and", []Condition{cnd(FieldApp, "bodhi"), cnd(FieldOwned, Me), cnd(FieldSeverity, "debug")}, true},
		{"and one fails", []Condition{cnd(FieldApp, "bodhi"), cnd(FieldOwned, Me), cnd(FieldSeverity, "error")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := Filter{ID: 1, User: "alice", Enabled: true, Destinations: []int64{10}, Conditions: tc.conds}
			var want []Match
			if tc.want {
				want = []Match{{User: "alice", Destination: 10, Filters: []int64{1}}}
			}
			for name, match := range matchers(t, testSnapshot(f)) {
				require.Equal(t, want, match(testMessage()), name)
			}
		})
	}
}

func TestMatchGrouping(t *testing.T) {
	t.Parallel()
	me := []Condition{cnd(FieldUser, Me)}
	s := testSnapshot(
		Filter{ID: 5, User: "bob", Enabled: true, Destinations: []int64{2, 1, 2}, Conditions: me},
		Filter{ID: 3, User: "bob", Enabled: true, Destinations: []int64{2}, Conditions: me},
		Filter{ID: 4, User: "alice", Enabled: true, Destinations: []int64{9}, Conditions: me},
		Filter{ID: 6, User: "alice", Enabled: false, Destinations: []int64{9}, Conditions: me},   // disabled
		Filter{ID: 7, User: "alice", Enabled: true, Conditions: me},                              // no destination
		Filter{ID: 8, User: "alice", Enabled: true, Destinations: []int64{9}},                    // invalid
		Filter{ID: 9, User: "carol", Enabled: true, Destinations: []int64{1}, Conditions: me},    // not involved
		Filter{ID: 1, User: "alice", Enabled: true, Destinations: []int64{9, 3}, Conditions: me}, // second filter
	)
	want := []Match{
		{User: "alice", Destination: 3, Filters: []int64{1}},
		{User: "alice", Destination: 9, Filters: []int64{1, 4}},
		{User: "bob", Destination: 1, Filters: []int64{5}},
		{User: "bob", Destination: 2, Filters: []int64{3, 5}},
	}
	for name, match := range matchers(t, s) {
		require.Equal(t, want, match(testMessage()), name)
	}
	n := Naive(s)
	require.Len(t, n.Invalid(), 1)
	require.Equal(t, int64(8), n.Invalid()[0].ID)
}

func TestMalformedBodyDoesNotHold(t *testing.T) {
	t.Parallel()
	f := Filter{ID: 1, User: "alice", Enabled: true, Destinations: []int64{1}, Conditions: []Condition{
		cnd(FieldApp, "bodhi"), neg(Condition{Field: FieldBody, Path: "a", Values: []string{"x"}}),
	}}
	m := testMessage()
	m.Body = []byte(`{not json`)
	for name, match := range matchers(t, testSnapshot(f)) {
		require.Len(t, match(m), 1, name)
	}
}
