package rules

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

func TestCompileIndexChoice(t *testing.T) {
	t.Parallel()
	f := func(id int64, conds ...Condition) Filter {
		return Filter{ID: id, User: "alice", Enabled: true, Destinations: []int64{1}, Conditions: conds}
	}
	s := testSnapshot(
		// User beats everything else.
		f(1, cnd(FieldApp, "bodhi"), cnd(FieldOwned, Me), cnd(FieldUser, Me)),
		// Agent is a user index too.
		f(2, cnd(FieldAgent, "bob"), cnd(FieldTopic, "org.*")),
		// Artifact beats owned and topic.
		f(3, cnd(FieldTopic, "a.b"), cnd(FieldOwned, Me), cnd(FieldArtifact, "kernel")),
		// Owned beats group.
		f(4, cnd(FieldGroup, "packager"), cnd(FieldOwned, MyGroups)),
		// Negated conditions are never indexed.
		f(5, neg(cnd(FieldUser, Me)), cnd(FieldGroup, "packager")),
		f(6, cnd(FieldApp, "bodhi"), cnd(FieldTopic, "org.fedoraproject.prod.bodhi.update.comment")),
		f(7, cnd(FieldApp, "bodhi"), cnd(FieldTopic, "org.fedoraproject.*")),
		// A glob starting with a wildcard loses to the app index...
		f(8, cnd(FieldApp, "bodhi"), cnd(FieldTopic, "*.comment")),
		// ... but is still better than checking always.
		f(9, cnd(FieldTopic, "*.comment"), neg(cnd(FieldAgent, Me))),
		// Only severity and body: always checked.
		f(10, cnd(FieldSeverity, "error"), neg(cnd(FieldApp, "badges"))),
		// Owned by someone who owns nothing can never match.
		f(11, cnd(FieldOwned, "nobody"), cnd(FieldApp, "bodhi")),
		f(12, cnd(FieldOwned, Me), cnd(FieldApp, "bodhi")),
		// Disabled, invalid, no destinations.
		Filter{ID: 13, User: "alice", Destinations: []int64{1}, Conditions: []Condition{cnd(FieldUser, Me)}},
		f(14, cnd(FieldTopic, "[z-a]")),
		Filter{ID: 15, User: "alice", Enabled: true, Conditions: []Condition{cnd(FieldUser, Me)}},
	)
	c, err := Compile(s)
	require.NoError(t, err)
	st := c.Stats()
	require.Equal(t, Stats{
		Filters: 15, Disabled: 1, Invalid: 1, NoDestinations: 1, Unmatchable: 1,
		Indexed: 10, AlwaysCheck: 1,
		ByUser: 2, ByArtifact: 1, ByOwned: 2, ByGroup: 1, ByTopic: 1, ByTopicGlob: 2, ByApp: 1,
		// users 1, agents 1, artifacts 1 (kernel), owned 1 (group python-sig, for filter 4's
		// @mygroups) + 1 (user alice, for filter 12's @me), groups 1, topics 1, apps 1, globs 2.
		Postings: 10,
		// The root and one node per byte of "org.fedoraproject."; the pattern with no literal
		// prefix is found by a word it requires.
		GlobPatterns: 1, TrieNodes: 19, WildcardPatterns: 1,
		BadOwnership: 1,
	}, st)
	require.Len(t, c.Invalid(), 1)
	require.Equal(t, int64(14), c.Invalid()[0].ID)
	require.ErrorContains(t, c.Invalid()[0].Err, `condition 0 (topic): bad glob "[z-a]"`)
}

func TestMatchAllocatesNothingWithoutMatches(t *testing.T) {
	me := []Condition{cnd(FieldUser, Me), neg(cnd(FieldAgent, Me))}
	s := testSnapshot(
		Filter{ID: 1, User: "alice", Enabled: true, Destinations: []int64{1}, Conditions: me},
		Filter{ID: 2, User: "alice", Enabled: true, Destinations: []int64{1}, Conditions: []Condition{cnd(FieldOwned, Me)}},
		Filter{ID: 3, User: "dave", Enabled: true, Destinations: []int64{1}, Conditions: []Condition{cnd(FieldTopic, "org.fedoraproject.*"), cnd(FieldSeverity, "error")}},
		Filter{ID: 4, User: "dave", Enabled: true, Destinations: []int64{1}, Conditions: []Condition{cnd(FieldSeverity, "error")}},
	)
	c, err := Compile(s)
	require.NoError(t, err)
	m := testMessage()
	m.Usernames = []string{"carol"}
	m.Agent = "carol"
	m.Artifacts = []message.Artifact{{Type: message.ArtifactRPM, Name: "bash"}}
	var info MatchInfo
	allocs := testing.AllocsPerRun(100, func() {
		var out []Match
		out, info = c.MatchWithInfo(m, testNow)
		if out != nil {
			t.Fatal("unexpected match")
		}
	})
	require.Zero(t, allocs)
	// Only the topic glob filter: the always-check one requires errors and this is info.
	require.Equal(t, 1, info.Candidates)
	require.False(t, info.BodyParsed)
}

func TestCompileNil(t *testing.T) {
	t.Parallel()
	_, err := Compile(nil)
	require.Error(t, err)
	c, err := Compile(&Snapshot{})
	require.NoError(t, err)
	require.Nil(t, c.Match(testMessage(), testNow))
}

func TestMatchConcurrent(t *testing.T) {
	t.Parallel()
	s := testSnapshot(Filter{ID: 1, User: "alice", Enabled: true, Destinations: []int64{1}, Conditions: []Condition{cnd(FieldUser, Me)}})
	c, err := Compile(s)
	require.NoError(t, err)
	want := c.Match(testMessage(), testNow)
	done := make(chan []Match)
	for range 8 {
		go func() {
			var last []Match
			for range 200 {
				last = c.Match(testMessage(), testNow)
			}
			done <- last
		}()
	}
	for range 8 {
		require.Equal(t, want, <-done)
	}
}

func TestMatchSurvivesStampWraparound(t *testing.T) {
	t.Parallel()
	s := testSnapshot(Filter{ID: 1, User: "alice", Enabled: true, Destinations: []int64{1}, Conditions: []Condition{cnd(FieldUser, Me)}})
	c, err := Compile(s)
	require.NoError(t, err)
	want := c.Match(testMessage(), testNow)
	require.Len(t, want, 1)
	sc := <-c.free // the scratch the call above returned
	sc.gen = math.MaxUint32
	c.free <- sc
	require.Equal(t, want, c.Match(testMessage(), testNow))
	sc = <-c.free
	require.Equal(t, uint32(1), sc.gen)
}
