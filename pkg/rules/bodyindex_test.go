package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBodyIndex(t *testing.T) {
	// Not parallel: it ends with testing.AllocsPerRun.
	body := func(op Op, path string, values ...string) Condition {
		return Condition{Field: FieldBody, Op: op, Path: path, Values: values}
	}
	f := func(id int64, user string, conds ...Condition) Filter {
		return Filter{ID: id, User: user, Enabled: true, Destinations: []int64{id}, Conditions: conds}
	}
	s := testSnapshot(
		// Indexed by value: eq and in, numbers and booleans by their text.
		f(1, "alice", body(OpEq, "update.status", "stable")),
		f(2, "alice", body(OpIn, "update.karma", "3", "4"), body(OpRegex, "update.builds[0].nvr", `^kernel-`)),
		f(3, "bob", body(OpIn, "update.stable", "true")),
		// A path no body has: indexed, never a candidate.
		f(4, "bob", body(OpEq, "msg.owner", "bob")),
		// A regexp cannot be looked up: always-check.
		f(5, "carol", body(OpRegex, "update.status", "^test")),
		// An indexed condition beats a body condition.
		f(6, "carol", Condition{Field: FieldApp, Values: []string{"bodhi"}}, body(OpEq, "update.status", "testing")),
	)
	c, err := Compile(s)
	require.NoError(t, err)
	st := c.Stats()
	require.Equal(t, 4, st.ByBody)
	require.Equal(t, 1, st.ByApp)
	require.Equal(t, 1, st.AlwaysCheck)
	n := Naive(s)

	m := testMessage() // update.status testing, karma 3, stable false
	got, info := c.MatchWithInfo(m, testNow)
	require.Equal(t, n.Match(m, testNow), got)
	require.Equal(t, []int64{2, 5, 6}, matchedIDs(got))
	// Candidates: 2 (karma 3), 5 (always-check) and 6 (app); 1, 3 and 4 were not found.
	require.Equal(t, 3, info.Candidates)
	require.True(t, info.BodyParsed)

	for name, b := range map[string]string{
		"stable":       `{"update": {"status": "stable", "stable": true, "karma": 4, "builds": [{"nvr": "bash-5"}]}}`,
		"escaped":      `{"update": {"status": "st\u0061ble", "stable": true}, "msg": {"owner": "bob"}}`,
		"duplicate":    `{"update": {"status": "stable"}, "update": {"status": "testing"}}`,
		"invalid":      `{"update": {"status": "stable"}`,
		"scalar there": `{"update": 1}`,
	} {
		m := testMessage()
		m.Body = []byte(b)
		require.Equal(t, n.Match(m, testNow), c.Match(m, testNow), name)
	}

	// Reading the body for the index allocates nothing: a message that matches nothing still
	// allocates nothing.
	m = testMessage()
	m.App = "koji"
	m.Body = []byte(`{"update": {"status": "obsolete", "karma": 0, "stable": false}, "msg": {"owner": "dave"}}`)
	allocs := testing.AllocsPerRun(100, func() {
		if c.Match(m, testNow) != nil {
			t.Fatal("unexpected match")
		}
	})
	require.Zero(t, allocs)
}

func matchedIDs(ms []Match) []int64 {
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.Filters...)
	}
	return ids
}
