package rules_test

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/internal/population"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// randomFilters makes up to maxN random filters of user over v, sometimes an invalid one.
func randomFilters(r *rand.Rand, v *vocab, user string, maxN int, nextID *int64) []rules.Filter {
	var out []rules.Filter
	for range r.IntN(maxN + 1) {
		*nextID++
		f := rules.Filter{ID: *nextID, User: user, Enabled: r.IntN(10) != 0}
		if r.IntN(8) == 0 {
			f.ID = int64(r.IntN(20)) // ids may repeat
		}
		for range 1 + r.IntN(3) {
			f.Destinations = append(f.Destinations, int64(1+r.IntN(3)))
		}
		for range 1 + r.IntN(4) {
			f.Conditions = append(f.Conditions, randomCondition(r, v))
		}
		if r.IntN(15) == 0 {
			f.Conditions = append(f.Conditions, rules.Condition{Field: rules.FieldTopic, Values: []string{"[z-a]"}})
		}
		out = append(out, f)
	}
	return out
}

// userState is every user's current filters: the snapshot a patched matcher stands for.
type userState map[string][]rules.Filter

func stateOf(s *rules.Snapshot) userState {
	st := userState{}
	for _, f := range s.Filters {
		st[f.User] = append(st[f.User], f)
	}
	return st
}

// snapshot is the full snapshot equivalent to st, with base's ownership and memberships.
func (st userState) snapshot(base *rules.Snapshot) *rules.Snapshot {
	s := &rules.Snapshot{Ownership: base.Ownership, Memberships: base.Memberships}
	for _, u := range slices.Sorted(maps.Keys(st)) {
		s.Filters = append(s.Filters, st[u]...)
	}
	return s
}

// invalidKeys lists invalid filters as sorted "user/id: reason" strings.
func invalidKeys(l []rules.InvalidFilter) []string {
	out := make([]string, 0, len(l))
	for _, f := range l {
		out = append(out, fmt.Sprintf("%s/%d: %s", f.User, f.ID, f.Reason))
	}
	slices.Sort(out)
	return out
}

// requireMatcherEqualsNaive checks c against the naive evaluator of s on msgs and returns how
// many messages matched.
func requireMatcherEqualsNaive(t *testing.T, c *rules.Matcher, s *rules.Snapshot, msgs []*message.Message) (matched int) {
	t.Helper()
	n := rules.Naive(s)
	for _, m := range msgs {
		want := n.Match(m, propNow)
		got := c.Match(m, propNow)
		if !slices.EqualFunc(want, got, func(a, b rules.Match) bool {
			return a.User == b.User && a.Destination == b.Destination && slices.Equal(a.Filters, b.Filters)
		}) {
			require.Equal(t, want, got, "message %+v", m)
		}
		if len(want) > 0 {
			matched++
		}
	}
	require.Equal(t, invalidKeys(n.Invalid()), invalidKeys(c.Invalid()))
	return matched
}

// patchSteps applies random patches to base (compiled from s) and checks each patched matcher
// against the naive evaluator of the equivalent full snapshot, then checks that base and every
// earlier patched matcher still match as before. users are the names patches pick from (some
// absent from s); vp is the vocabulary of new filters.
func patchSteps(t *testing.T, r *rand.Rand, s *rules.Snapshot, vp *vocab, users []string, msgs []*message.Message, steps int) (matched int) {
	t.Helper()
	base, err := rules.Compile(s)
	require.NoError(t, err)
	baseWant := make([][]rules.Match, len(msgs))
	for i, m := range msgs {
		baseWant[i] = base.Match(m, propNow)
	}
	type version struct {
		c *rules.Matcher
		s *rules.Snapshot
	}
	var versions []version
	st := stateOf(s)
	patched := base
	nextID := int64(1 << 20)
	for range steps {
		repl := map[string][]rules.Filter{}
		for range 1 + r.IntN(3) {
			u := pick(r, users)
			switch r.IntN(5) {
			case 0: // remove every filter
				repl[u] = nil
			case 1: // the same, as an empty slice
				repl[u] = []rules.Filter{}
			case 2: // change one filter, keep the others
				fs := slices.Clone(st[u])
				if len(fs) > 0 {
					k := r.IntN(len(fs))
					fs[k].Enabled = !fs[k].Enabled
					fs[k].Conditions = append(slices.Clone(fs[k].Conditions), randomCondition(r, vp))
				}
				repl[u] = append(fs, randomFilters(r, vp, u, 1, &nextID)...)
			default:
				repl[u] = randomFilters(r, vp, u, 5, &nextID)
			}
		}
		before := patched.OverlayUsers()
		switch r.IntN(4) {
		case 0:
			rules.RebindOverlayNext(patched)
		case 1: // a merge of the overlay's tiers, reusing their bound filters
			rules.MergeOverlayNext(patched)
		}
		patched, err = patched.WithUsers(repl)
		require.NoError(t, err)
		for u, fs := range repl {
			if len(fs) == 0 {
				delete(st, u)
			} else {
				st[u] = fs
			}
		}
		require.GreaterOrEqual(t, patched.OverlayUsers(), before)
		full := st.snapshot(s)
		matched += requireMatcherEqualsNaive(t, patched, full, msgs)
		versions = append(versions, version{patched, full})
	}
	for i, m := range msgs {
		require.Equal(t, baseWant[i], base.Match(m, propNow), "base changed")
	}
	for _, v := range versions {
		requireMatcherEqualsNaive(t, v.c, v.s, msgs)
	}
	return matched
}

// extendVocab adds names the base snapshot never mentions: new users, an app, packages, a group.
func extendVocab(v *vocab) *vocab {
	vp := *v
	vp.users = append(slices.Clone(v.users), "new0", "new1")
	vp.apps = append(slices.Clone(v.apps), "newapp")
	vp.pkgs = append(slices.Clone(v.pkgs), "newpkg")
	vp.groups = append(slices.Clone(v.groups), "newgroup")
	return &vp
}

func TestPropertyWithUsersEqualsNaiveRandom(t *testing.T) {
	t.Parallel()
	seeds := 40
	if testing.Short() {
		seeds = 8
	}
	v := smallVocab()
	vp := extendVocab(v)
	total, matched := 0, 0
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 99))
		s := randomSnapshot(r, v, 150)
		msgs := make([]*message.Message, 150)
		for i := range msgs {
			msgs[i] = randomMessage(r, vp)
		}
		matched += patchSteps(t, r, s, vp, vp.users, msgs, 10)
		total += 10 * len(msgs)
	}
	require.Greater(t, matched, total/4)
	require.Less(t, matched, total)
}

func TestPropertyWithUsersEqualsNaiveCorpus(t *testing.T) {
	t.Parallel()
	recs, err := corpus.LoadDefault()
	if err != nil {
		t.Skip(err)
	}
	real, _ := population.CorpusMessages(recs)
	require.NotEmpty(t, real)
	ptrs := func(ms []message.Message) []*message.Message {
		out := make([]*message.Message, len(ms))
		for i := range ms {
			out[i] = &ms[i]
		}
		return out
	}

	t.Run("random filters over the corpus vocabulary", func(t *testing.T) {
		t.Parallel()
		v := corpusVocab(real)
		vp := extendVocab(v)
		matched := 0
		for seed := range 2 {
			r := rand.New(rand.NewPCG(uint64(seed), 11))
			s := randomSnapshot(r, v, 3000)
			matched += patchSteps(t, r, s, vp, vp.users[:min(len(vp.users), 40)], ptrs(real), 5)
		}
		require.Positive(t, matched)
	})

	t.Run("generated population", func(t *testing.T) {
		t.Parallel()
		pop := population.Generate(population.Config{Users: 1500, Seed: 3})
		msgs := ptrs(must(pop.MappedCorpus()))
		base, err := rules.Compile(pop.Snapshot)
		require.NoError(t, err)
		st := stateOf(pop.Snapshot)
		r := rand.New(rand.NewPCG(5, 5))
		// Give users the filters of other users (owned and @mygroups conditions now expand
		// through the new owner's ownership and groups), take filters away, add new users.
		patched := base
		for step := range 4 {
			repl := map[string][]rules.Filter{}
			for k := range 20 {
				u := pick(r, pop.Users)
				if k%5 == 0 {
					u = fmt.Sprintf("newcomer%d-%d", step, k)
				}
				var fs []rules.Filter
				if r.IntN(4) != 0 {
					for _, f := range st[pick(r, pop.Users)] {
						f.User = u
						fs = append(fs, f)
					}
				}
				repl[u] = fs
			}
			patched, err = patched.WithUsers(repl)
			require.NoError(t, err)
			for u, fs := range repl {
				if len(fs) == 0 {
					delete(st, u)
				} else {
					st[u] = fs
				}
			}
			require.Greater(t, requireMatcherEqualsNaive(t, patched, st.snapshot(pop.Snapshot), msgs), len(msgs)/4)
		}
		// The base is unchanged.
		requireMatcherEqualsNaive(t, base, pop.Snapshot, msgs)
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestWithUsersOwnership(t *testing.T) {
	t.Parallel()
	rpm := func(name string) message.Artifact { return message.Artifact{Type: message.ArtifactRPM, Name: name} }
	s := &rules.Snapshot{
		Filters: []rules.Filter{
			// dave is the only user with filters in the base.
			{ID: 1, User: "dave", Enabled: true, Destinations: []int64{1}, Conditions: []rules.Condition{{Field: rules.FieldApp, Values: []string{"bodhi"}}}},
		},
		Ownership: []rules.Ownership{
			{Artifact: rpm("bash"), User: "alice"},
			{Artifact: rpm("vim"), Group: "editors"},
			{Artifact: rpm("emacs"), Group: "editors"},
		},
		Memberships: []rules.Membership{{Group: "editors", User: "bob"}},
	}
	base, err := rules.Compile(s)
	require.NoError(t, err)
	owned := func(user string, id int64, owners ...string) rules.Filter {
		return rules.Filter{ID: id, User: user, Enabled: true, Destinations: []int64{10}, Conditions: []rules.Condition{
			{Field: rules.FieldOwned, Values: owners},
		}}
	}
	p, err := base.WithUsers(map[string][]rules.Filter{
		"alice": {owned("alice", 2, rules.Me)},
		"bob":   {owned("bob", 3, rules.MyGroups), owned("bob", 4, rules.Me)}, // bob owns nothing himself
		"carol": {owned("carol", 5, rules.GroupPrefix+"editors")},
	})
	require.NoError(t, err)
	require.Equal(t, 3, p.OverlayUsers())
	require.Equal(t, 1, p.OverlayStats().Unmatchable)
	msg := func(arts ...message.Artifact) *message.Message {
		m := &message.Message{Topic: "org.fedoraproject.prod.git.receive", App: "git", Artifacts: arts}
		m.Normalize()
		return m
	}
	m := func(user string, filters ...int64) rules.Match {
		return rules.Match{User: user, Destination: 10, Filters: filters}
	}
	for _, tc := range []struct {
		name string
		msg  *message.Message
		want []rules.Match
	}{
		// alice owns bash herself.
		{"bash", msg(rpm("bash")), []rules.Match{m("alice", 2)}},
		// vim belongs to editors: bob through @mygroups, carol by naming the group.
		{"vim", msg(rpm("vim")), []rules.Match{m("bob", 3), m("carol", 5)}},
		{"both", msg(rpm("emacs"), rpm("bash")), []rules.Match{m("alice", 2), m("bob", 3), m("carol", 5)}},
		// Ownership is per type.
		{"container", msg(message.Artifact{Type: message.ArtifactContainer, Name: "vim"}), nil},
	} {
		require.Equal(t, tc.want, p.Match(tc.msg, propNow), tc.name)
		require.Nil(t, base.Match(tc.msg, propNow), tc.name)
	}
}

func TestWithUsersRefusesForeignFilters(t *testing.T) {
	t.Parallel()
	base, err := rules.Compile(&rules.Snapshot{})
	require.NoError(t, err)
	_, err = base.WithUsers(map[string][]rules.Filter{"alice": {{ID: 7, User: "bob"}}})
	require.ErrorContains(t, err, `filter 7 belongs to "bob"`)
	p, err := base.WithUsers(nil)
	require.NoError(t, err)
	require.Zero(t, p.OverlayUsers())
	require.Zero(t, base.OverlayUsers())
}

func TestWithUsersOverlayUsers(t *testing.T) {
	t.Parallel()
	f := func(user string) []rules.Filter {
		return []rules.Filter{{ID: 1, User: user, Enabled: true, Destinations: []int64{1}, Conditions: []rules.Condition{{Field: rules.FieldUser, Values: []string{rules.Me}}}}}
	}
	base, err := rules.Compile(&rules.Snapshot{Filters: f("alice")})
	require.NoError(t, err)
	p1, err := base.WithUsers(map[string][]rules.Filter{"alice": nil, "bob": f("bob")})
	require.NoError(t, err)
	p2, err := p1.WithUsers(map[string][]rules.Filter{"bob": nil, "carol": f("carol")})
	require.NoError(t, err)
	// A user patched again counts once; a user whose filters are all removed still counts.
	require.Equal(t, 2, p1.OverlayUsers())
	require.Equal(t, 3, p2.OverlayUsers())
	require.Equal(t, 1, p2.OverlayStats().Filters)
	m := &message.Message{Topic: "t", Usernames: []string{"alice", "bob", "carol"}}
	m.Normalize()
	require.Equal(t, []rules.Match{{User: "alice", Destination: 1, Filters: []int64{1}}}, base.Match(m, propNow))
	require.Equal(t, []rules.Match{{User: "bob", Destination: 1, Filters: []int64{1}}}, p1.Match(m, propNow))
	require.Equal(t, []rules.Match{{User: "carol", Destination: 1, Filters: []int64{1}}}, p2.Match(m, propNow))
}

// Matching on one matcher goes on while other goroutines derive new ones from it and match on
// those (run with -race).
func TestWithUsersConcurrent(t *testing.T) {
	t.Parallel()
	v := smallVocab()
	vp := extendVocab(v)
	r := rand.New(rand.NewPCG(1, 2))
	s := randomSnapshot(r, v, 300)
	base, err := rules.Compile(s)
	require.NoError(t, err)
	first, err := base.WithUsers(map[string][]rules.Filter{"u1": nil, "new0": randomFilters(r, vp, "new0", 4, new(int64))})
	require.NoError(t, err)
	msgs := make([]*message.Message, 50)
	for i := range msgs {
		msgs[i] = randomMessage(r, vp)
	}
	want := func(c *rules.Matcher) [][]rules.Match {
		out := make([][]rules.Match, len(msgs))
		for i, m := range msgs {
			out[i] = c.Match(m, propNow)
		}
		return out
	}
	baseWant, firstWant := want(base), want(first)
	// Patches made up front, so that the goroutines need no shared random source.
	patches := make([]map[string][]rules.Filter, 40)
	nextID := int64(100)
	for i := range patches {
		u := pick(r, vp.users)
		patches[i] = map[string][]rules.Filter{u: randomFilters(r, vp, u, 4, &nextID)}
	}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				for i, m := range msgs {
					if !slices.EqualFunc(baseWant[i], base.Match(m, propNow), matchEqual) ||
						!slices.EqualFunc(firstWant[i], first.Match(m, propNow), matchEqual) {
						t.Error("a matcher changed while others were derived from it")
						return
					}
				}
			}
		})
	}
	for g := range 2 {
		wg.Go(func() {
			c := first
			for i := g; i < len(patches); i += 2 {
				var err error
				if c, err = c.WithUsers(patches[i]); err != nil {
					t.Error(err)
					return
				}
				for _, m := range msgs {
					c.Match(m, propNow)
				}
			}
		})
	}
	wg.Wait()
}

func matchEqual(a, b rules.Match) bool {
	return a.User == b.User && a.Destination == b.Destination && slices.Equal(a.Filters, b.Filters)
}

// The overlay keeps the base's promise: a message that matches nothing allocates nothing.
func TestWithUsersMatchAllocatesNothingWithoutMatches(t *testing.T) {
	f := func(id int64, user string, conds ...rules.Condition) rules.Filter {
		return rules.Filter{ID: id, User: user, Enabled: true, Destinations: []int64{1}, Conditions: conds}
	}
	me := rules.Condition{Field: rules.FieldUser, Values: []string{rules.Me}}
	glob := rules.Condition{Field: rules.FieldTopic, Values: []string{"org.fedoraproject.*"}}
	errs := rules.Condition{Field: rules.FieldSeverity, Values: []string{"error"}}
	base, err := rules.Compile(&rules.Snapshot{Filters: []rules.Filter{f(1, "alice", me), f(2, "dave", glob, errs)}})
	require.NoError(t, err)
	p, err := base.WithUsers(map[string][]rules.Filter{
		"dave": {f(3, "dave", glob, errs), f(4, "dave", errs)},
		"erin": {f(5, "erin", me)},
	})
	require.NoError(t, err)
	m := &message.Message{Topic: "org.fedoraproject.prod.bodhi.update.comment", Severity: message.SeverityInfo, Usernames: []string{"carol"}, Agent: "carol"}
	m.Normalize()
	p.Match(m, propNow) // the first call sizes the overlay's scratch
	var info rules.MatchInfo
	allocs := testing.AllocsPerRun(100, func() {
		var out []rules.Match
		out, info = p.MatchWithInfo(m, propNow)
		if out != nil {
			t.Fatal("unexpected match")
		}
	})
	require.Zero(t, allocs)
	// dave's glob filter in the overlay; the one in the base is masked, not verified.
	require.Equal(t, 1, info.Candidates)
}

func TestWithUsersInvalid(t *testing.T) {
	t.Parallel()
	bad := func(id int64, user string) rules.Filter {
		return rules.Filter{ID: id, User: user, Enabled: true, Destinations: []int64{1}, Conditions: []rules.Condition{{Field: rules.FieldTopic, Values: []string{"[z-a]"}}}}
	}
	base, err := rules.Compile(&rules.Snapshot{Filters: []rules.Filter{bad(1, "alice"), bad(2, "bob"), bad(3, "dave")}})
	require.NoError(t, err)
	p, err := base.WithUsers(map[string][]rules.Filter{"bob": nil, "carol": {bad(4, "carol")}, "alice": {bad(5, "alice")}})
	require.NoError(t, err)
	var got []string
	for _, f := range p.Invalid() {
		got = append(got, fmt.Sprintf("%s/%d", f.User, f.ID))
	}
	require.Equal(t, []string{"alice/5", "carol/4", "dave/3"}, got)
	require.Len(t, base.Invalid(), 3)
	require.True(t, slices.IsSortedFunc(p.Invalid(), func(a, b rules.InvalidFilter) int {
		return cmp.Or(strings.Compare(a.User, b.User), cmp.Compare(a.ID, b.ID))
	}))
}

// TestWithUsersTiers patches users one at a time, past several merges of the overlay's tiers, and
// repatches earlier ones, checking matches and Invalid against a compile of the same snapshot.
func TestWithUsersTiers(t *testing.T) {
	t.Parallel()
	f := func(user string, id int64, valid bool) rules.Filter {
		cd := rules.Condition{Field: rules.FieldUser, Values: []string{rules.Me}}
		if !valid {
			cd = rules.Condition{Field: "no-such-field", Values: []string{"x"}}
		}
		return rules.Filter{ID: id, User: user, Enabled: true, Destinations: []int64{1}, Conditions: []rules.Condition{cd}}
	}
	st := map[string][]rules.Filter{"alice": {f("alice", 1, true), f("alice", 2, false)}}
	snapshot := func() *rules.Snapshot {
		s := &rules.Snapshot{}
		for _, fs := range st {
			s.Filters = append(s.Filters, fs...)
		}
		return s
	}
	p, err := rules.Compile(snapshot())
	require.NoError(t, err)
	var names []string
	for i := range 80 {
		u := fmt.Sprintf("u%02d", i%50) // from 50 on, users patched before
		if i%7 == 0 {
			u = "alice"
		}
		names = append(names, u)
		repl := []rules.Filter{f(u, int64(10+i), i%3 != 0), f(u, int64(100+i), i%2 == 0)}
		if i%5 == 0 {
			repl = nil
		}
		p, err = p.WithUsers(map[string][]rules.Filter{u: repl})
		require.NoError(t, err)
		if len(repl) == 0 {
			delete(st, u)
		} else {
			st[u] = repl
		}
		want, err := rules.Compile(snapshot())
		require.NoError(t, err)
		require.Equal(t, append([]rules.InvalidFilter{}, want.Invalid()...), p.Invalid(), "after %d patches", i+1)
		m := &message.Message{Topic: "t", Usernames: names}
		m.Normalize()
		require.Equal(t, want.Match(m, propNow), p.Match(m, propNow), "after %d patches", i+1)
	}
	require.Equal(t, 48, p.OverlayUsers()) // alice and 47 of u00-u49
}
