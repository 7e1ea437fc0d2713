package rules

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

func TestRequiredLiteral(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern string
		want    wildKey
	}{
		// A word between two dots; the longest one wins.
		{"*.bodhi.update.*", wildKey{word: "update"}},
		// A word ending the pattern after a dot is the topic's last word.
		{"*.comment", wildKey{word: "comment"}},
		{"*.W.*.W", wildKey{word: "W"}},
		// No dot: three fixed characters in a row, the first without a dot.
		{"*koji*", wildKey{gram: gramKey("koj"), hasGram: true}},
		{"*bo?hi*[ab]", wildKey{}},
		{"*bod?hi*[ab]", wildKey{gram: gramKey("bod"), hasGram: true}},
		{"*.*koji*.*W*", wildKey{gram: gramKey("koj"), hasGram: true}},
		{"*x.koji*", wildKey{gram: gramKey("koj"), hasGram: true}},
		// Nothing to look up.
		{"*", wildKey{}},
		{"*?*", wildKey{}},
		{"*a*", wildKey{}},
		{"*.*", wildKey{}},
		{"*..*", wildKey{}},
		// A class ends a run; the text after a closed class counts.
		{"[a-z]*.bodhi.*", wildKey{word: "bodhi"}},
		{"[!p]rod.koji.*", wildKey{word: "koji"}},
		// A `]` right after `[` or `[!` is a member, so the class runs to the next `]`.
		{"[]x.koji.]*", wildKey{}},
		{"[!]x.koji.]*.bodhi.*", wildKey{word: "bodhi"}},
		// An unclosed `[` is literal in fnmatch; here it and the rest count as wildcards.
		{"*.koji.[x.bodhi.y", wildKey{word: "koji"}},
		{"*[.bodhi.update", wildKey{}},
		// `?` is one character, which could be a dot: "?koji." does not make koji a word.
		{"?koji.*", wildKey{gram: gramKey("koj"), hasGram: true}},
		{"?.koji.*", wildKey{word: "koji"}},
	} {
		require.Equal(t, tc.want, requiredLiteral(tc.pattern), "pattern %q", tc.pattern)
	}
}

// wildWords are the words greedy patterns are made of: some in every topic of wildTopics, some
// in a few, some in none.
var wildWords = []string{"org", "fedoraproject", "prod", "bodhi", "update", "comment", "koji", "x", "a", "zz", "pagure", "build"}

var wildTopics = []string{
	"org.fedoraproject.prod.bodhi.update.comment",
	"org.fedoraproject.prod.buildsys.build.state.change",
	"io.pagure.prod.pagure.pull-request.new",
	"org.fedoraproject.stg.koji.x.a",
	"zz",
	"a.b",
	"",
	"bodhi",
	"org.fedoraproject.prod.bodhi.bodhi.bodhi",
}

// randomWildPattern makes a pattern starting with a wildcard from wildWords, wildcards, dots and
// classes, closed or not.
func randomWildPattern(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString([]string{"*", "?", "[a-z]", "[!x]", "*."}[r.IntN(5)])
	for range 1 + r.IntN(4) {
		switch r.IntN(7) {
		case 0:
			b.WriteString("*")
		case 1:
			b.WriteString("?")
		case 2:
			b.WriteString(".")
		case 3:
			b.WriteString([]string{"[ab]", "[]x]", "[!]x]", "[", "[.]"}[r.IntN(5)])
		default:
			b.WriteString(wildWords[r.IntN(len(wildWords))])
		}
	}
	return b.String()
}

// Many patterns starting with a wildcard per user, found through the words and trigrams they
// require: the compiled matcher agrees with the naive one, budget or not.
func TestPropertyLeadingWildcardsCompiledEqualsNaive(t *testing.T) {
	t.Parallel()
	for seed := range 40 {
		r := rand.New(rand.NewPCG(uint64(seed), 21))
		s := &Snapshot{}
		for i := range 60 {
			f := Filter{ID: int64(i), User: fmt.Sprintf("u%d", i%4), Enabled: true, Destinations: []int64{1},
				Conditions: []Condition{{Field: FieldTopic, Op: OpGlob}}}
			for range 1 + r.IntN(20) {
				f.Conditions[0].Values = append(f.Conditions[0].Values, randomWildPattern(r))
			}
			if ValidateConditions(f.Conditions) != nil {
				continue
			}
			s.Filters = append(s.Filters, f)
		}
		for _, budget := range []*Budget{{}, nil} {
			s.Budget = budget
			n, c := Naive(s), mustCompile(t, s)
			require.Len(t, c.Invalid(), len(n.Invalid()))
			for k := range 2 * len(wildTopics) { // twice: the second time from the memo
				m := &message.Message{Topic: wildTopics[k%len(wildTopics)]}
				require.Equal(t, n.Match(m, testNow), c.Match(m, testNow), "seed %d, topic %q", seed, m.Topic)
			}
		}
	}
}

func mustCompile(t *testing.T, s *Snapshot) *Matcher {
	t.Helper()
	c, err := Compile(s)
	require.NoError(t, err)
	return c
}

// Stored filters past the budget (older data) are skipped in id order, each user on their own,
// and listed with the limit they pass; WithUsers holds patched users to the base's budget.
func TestCompileHoldsUsersToTheBudget(t *testing.T) {
	t.Parallel()
	glob := func(id int64, user string, patterns ...string) Filter {
		return Filter{ID: id, User: user, Enabled: true, Destinations: []int64{1},
			Conditions: []Condition{{Field: FieldTopic, Op: OpGlob, Values: patterns}}}
	}
	s := &Snapshot{
		Budget: &Budget{LeadingWildcards: 5, Unindexed: 1},
		Filters: []Filter{
			glob(3, "greedy", "*.c.*"),
			glob(1, "greedy", "*.a.*", "*.b.*"),
			glob(2, "greedy", "*.d.*", "*.e.*", "*.f.*", "*.g.*"), // would make 6: skipped
			glob(4, "greedy", "*"),                                // unindexed, within both limits
			glob(5, "greedy", "*.*"),                              // the second unindexed: skipped
			glob(1, "modest", "*.a.*", "*.b.*"),
		},
	}
	c := mustCompile(t, s)
	require.Equal(t, 2, c.Stats().OverBudget)
	require.Zero(t, c.Stats().Invalid)
	inv := c.Invalid()
	require.Len(t, inv, 2)
	require.Equal(t, []int64{2, 5}, []int64{inv[0].ID, inv[1].ID})
	var be *BudgetError
	require.True(t, errors.As(inv[0].Err, &be))
	require.Equal(t, BudgetError{Limit: LimitLeadingWildcards, Max: 5, Have: 6}, *be)
	require.Equal(t, "past the per-user budget: at most 5 topic patterns starting with a wildcard per user (this filter makes 6)", inv[0].Reason)
	require.True(t, errors.As(inv[1].Err, &be))
	require.Equal(t, LimitUnindexed, be.Limit)
	require.Equal(t, inv, s.Budget.OverBudget(s.Filters))
	require.Len(t, Naive(s).Invalid(), 2)

	m := &message.Message{Topic: "x.d.y"}
	require.Equal(t, []Match{{User: "greedy", Destination: 1, Filters: []int64{4}}}, c.Match(m, testNow))

	// A patch is held to the same budget.
	p, err := c.WithUsers(map[string][]Filter{"modest": {glob(1, "modest", "*.a.*", "*.b.*", "*.c.*", "*.d.*", "*.e.*", "*.f.*")}})
	require.NoError(t, err)
	require.Equal(t, 1, p.OverlayStats().OverBudget)
	require.Equal(t, []int64{2, 5, 1}, []int64{p.Invalid()[0].ID, p.Invalid()[1].ID, p.Invalid()[2].ID})

	// The default budget applies when the snapshot names none; a zero budget has no limits.
	s.Budget = nil
	require.Empty(t, mustCompile(t, s).Invalid())
	many := []string{}
	for i := range DefaultBudgetLeadingWildcards + 1 {
		many = append(many, fmt.Sprintf("*.w%d.*", i))
	}
	s.Filters = []Filter{glob(1, "greedy", many...)}
	require.Len(t, mustCompile(t, s).Invalid(), 1)
	s.Budget = &Budget{}
	require.Empty(t, mustCompile(t, s).Invalid())
}

func TestWeight(t *testing.T) {
	t.Parallel()
	f := Filter{Conditions: []Condition{
		{Field: FieldTopic, Values: []string{"*.bodhi.*", "*", "org.*", "?a*"}},
		{Field: FieldTopic, Op: OpIn, Values: []string{"*"}},
		{Field: FieldBody, Path: "title", Op: OpRegex, Values: []string{"^kernel-"}},
	}}
	require.Equal(t, Weight{Values: 6, LeadingWildcards: 3, Unindexed: 2, Regexps: 1}, f.Weight())
}

// holdsRuns never rules out a topic a pattern matches.
func TestHoldsRunsIsNecessary(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 21))
	topics := slices.Clone(wildTopics)
	for range 200 {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(wildWords[r.IntN(len(wildWords))])
			b.WriteString([]string{".", "", "?", "."}[r.IntN(4)])
		}
		topics = append(topics, b.String())
	}
	for range 3000 {
		p := randomWildPattern(r)
		g, err := compileGlob(p)
		if err != nil {
			continue
		}
		runs := literalRuns(p)
		for _, topic := range topics {
			if g.match(topic) {
				require.True(t, holdsRuns(topic, runs), "pattern %q matches %q", p, topic)
			}
		}
	}
}
