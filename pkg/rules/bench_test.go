package rules_test

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fmn/internal/population"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// Benchmarks run on a generated population (internal/population: ≈4 filters and ≈12 conditions
// per user; the *Fedora benchmarks on population.ShapeFedora as well) with the real corpus
// mapped onto it. Run them with:
//
//	go test -run '^$' -bench . -benchmem -benchtime 3s ./pkg/rules
//
// The 100k-user population takes a few seconds to build; it is built only when its benchmark is
// selected.

// benchSizes are the population sizes benchmarked.
var benchSizes = [...]int{10_000, 100_000}

// benchEnv is a compiled matcher and the mapped corpus messages. The population (the snapshot)
// is not kept, as a worker need not keep it once compiled: the garbage collector then scans only
// the matcher.
type benchEnv struct {
	m    *rules.Matcher
	msgs []message.Message
	// patches are replacement filters for benchPatchUsers distinct users: each gets the filters
	// of another random user (so owned and @mygroups conditions expand through the new owner).
	patches []benchPatch
}

// benchPatch is one user's replacement filters.
type benchPatch struct {
	user    string
	filters []rules.Filter
}

// benchPatchUsers is the number of patches a benchEnv prepares.
const benchPatchUsers = 2000

func newBenchEnv(b *testing.B, users int) *benchEnv {
	b.Helper()
	return newShapedBenchEnv(b, population.Config{Users: users, Seed: 1}, 0)
}

// newShapedBenchEnv is newBenchEnv on a population of any shape, with n mapped messages
// (population.MappedMessages; 0 for one pass over the corpus).
func newShapedBenchEnv(b *testing.B, cfg population.Config, n int) *benchEnv {
	b.Helper()
	pop := population.Generate(cfg)
	m, err := rules.Compile(pop.Snapshot)
	if err != nil {
		b.Fatal(err)
	}
	msgs, err := pop.MappedMessages(n)
	if err != nil {
		b.Skip(err)
	}
	byUser := map[string][]rules.Filter{}
	for _, f := range pop.Snapshot.Filters {
		byUser[f.User] = append(byUser[f.User], f)
	}
	r := rand.New(rand.NewPCG(7, 7))
	env := &benchEnv{m: m, msgs: msgs}
	for _, k := range r.Perm(len(pop.Users))[:benchPatchUsers] {
		u := pop.Users[k]
		var fs []rules.Filter
		for _, f := range byUser[pick(r, pop.Users)] {
			f.User = u
			fs = append(fs, f)
		}
		env.patches = append(env.patches, benchPatch{user: u, filters: fs})
	}
	return env
}

// patched returns env's matcher with the first n patches applied.
func (env *benchEnv) patched(b *testing.B, n int) *rules.Matcher {
	b.Helper()
	repl := map[string][]rules.Filter{}
	for _, p := range env.patches[:n] {
		repl[p.user] = p.filters
	}
	m, err := env.m.WithUsers(repl)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// lazyEnvs builds each size's environment once, on first use by a selected sub-benchmark.
type lazyEnvs map[int]*benchEnv

func (l lazyEnvs) get(b *testing.B, users int) *benchEnv {
	if l[users] == nil {
		l[users] = newBenchEnv(b, users)
	}
	return l[users]
}

func BenchmarkMatch(b *testing.B) {
	envs := lazyEnvs{}
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			env := envs.get(b, n)
			now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
			var cands, matches, i int
			b.ReportAllocs()
			for b.Loop() {
				m := &env.msgs[i%len(env.msgs)]
				out, info := env.m.MatchWithInfo(m, now)
				cands += info.Candidates
				matches += len(out)
				i++
			}
			b.ReportMetric(float64(cands)/float64(i), "candidates/msg")
			b.ReportMetric(float64(matches)/float64(i), "matches/msg")
		})
	}
}

// BenchmarkMatchLatency times each message on its own and reports the median and the 99th
// percentile over the corpus.
func BenchmarkMatchLatency(b *testing.B) {
	envs := lazyEnvs{}
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			env := envs.get(b, n)
			now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
			var durs []time.Duration
			i := 0
			for b.Loop() {
				m := &env.msgs[i%len(env.msgs)]
				t0 := time.Now()
				env.m.Match(m, now)
				durs = append(durs, time.Since(t0))
				i++
			}
			slices.Sort(durs)
			b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
			b.ReportMetric(float64(durs[len(durs)-1].Nanoseconds()), "max-ns")
		})
	}
}

// benchMessages is how many mapped messages BenchmarkMatchFedora cycles through: about four
// passes over the corpus, each naming other users, packages and groups.
const benchMessages = 2000

// BenchmarkMatchFedora matches on the Fedora-shaped population (population.ShapeFedora, issue
// #21) and, for comparison in the same run, on the default one, each with benchMessages
// messages mapped onto it (population.MappedMessages). Each message is timed on its own: ns/op is the mean, p50-ns and
// p99-ns the median and 99th percentile; candidates/msg, matches/msg ((user, destination)
// pairs) and body-parses/msg the work per message; ns/match the mean cost per match.
func BenchmarkMatchFedora(b *testing.B) {
	envs := map[string]*benchEnv{}
	for _, shape := range []population.Shape{population.ShapeFedora, population.ShapeDefault} {
		for _, n := range benchSizes {
			name := fmt.Sprintf("shape=%s/users=%d", shape, n)
			b.Run(name, func(b *testing.B) {
				if envs[name] == nil {
					envs[name] = newShapedBenchEnv(b, population.Config{Users: n, Seed: 1, Shape: shape}, benchMessages)
				}
				benchMatchEach(b, envs[name])
			})
		}
	}
}

// benchMatchEach times each message of env on its own and reports what BenchmarkMatchFedora
// says.
func benchMatchEach(b *testing.B, env *benchEnv) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var durs []time.Duration
	var total time.Duration
	var cands, matches, parses, i int
	b.ReportAllocs()
	for b.Loop() {
		m := &env.msgs[i%len(env.msgs)]
		t0 := time.Now()
		out, info := env.m.MatchWithInfo(m, now)
		d := time.Since(t0)
		durs = append(durs, d)
		total += d
		cands += info.Candidates
		matches += len(out)
		if info.BodyParsed {
			parses++
		}
		i++
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(cands)/float64(i), "candidates/msg")
	b.ReportMetric(float64(matches)/float64(i), "matches/msg")
	b.ReportMetric(float64(parses)/float64(i), "body-parses/msg")
	if matches > 0 {
		b.ReportMetric(float64(total.Nanoseconds())/float64(matches), "ns/match")
	}
}

// BenchmarkCompile reports the time to compile a whole population (ns/op) and the heap the
// matcher holds beyond the snapshot (heap-MiB), plus the heap of snapshot and matcher together.
func BenchmarkCompile(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			benchCompile(b, population.Config{Users: n, Seed: 1})
		})
	}
}

// BenchmarkCompileFedora is BenchmarkCompile on the Fedora-shaped population (issue #21).
func BenchmarkCompileFedora(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			benchCompile(b, population.Config{Users: n, Seed: 1, Shape: population.ShapeFedora})
		})
	}
}

// benchCompile compiles the population of cfg and reports what BenchmarkCompile says.
func benchCompile(b *testing.B, cfg population.Config) {
	pop := population.Generate(cfg)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var m *rules.Matcher
	for b.Loop() {
		var err error
		m, err = rules.Compile(pop.Snapshot)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := m.Stats()
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "matcher-heap-MiB")
	b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "total-heap-MiB")
	b.ReportMetric(float64(len(pop.Snapshot.Filters)), "filters")
	b.ReportMetric(float64(pop.Conditions)/float64(cfg.Users), "conds/user")
	b.ReportMetric(float64(st.AlwaysCheck), "always-check")
	b.ReportMetric(float64(st.Postings), "postings")
	runtime.KeepAlive(m)
	runtime.KeepAlive(pop)
}

// BenchmarkNaive is the reference evaluator on the smaller population, for comparison.
func BenchmarkNaive(b *testing.B) {
	pop := population.Generate(population.Config{Users: benchSizes[0], Seed: 1})
	n := rules.Naive(pop.Snapshot)
	msgs, err := pop.MappedCorpus()
	if err != nil {
		b.Skip(err)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		n.Match(&msgs[i%len(msgs)], now)
		i++
	}
}

// benchOverlays are the overlay sizes (patched users) benchmarked.
var benchOverlays = [...]int{0, 100, 1000}

// BenchmarkWithUsers patches one user (≈ 4 filters) into a matcher that already has an overlay
// of the given size: the cost of applying one preference change.
func BenchmarkWithUsers(b *testing.B) {
	envs := lazyEnvs{}
	for _, n := range benchSizes {
		for _, k := range benchOverlays {
			b.Run(fmt.Sprintf("users=%d/overlay=%d", n, k), func(b *testing.B) {
				env := envs.get(b, n)
				m := env.patched(b, k)
				rest := env.patches[k:]
				i := 0
				b.ReportAllocs()
				for b.Loop() {
					p := &rest[i%len(rest)]
					if _, err := m.WithUsers(map[string][]rules.Filter{p.user: p.filters}); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkWithUsersChain applies one-user patches in sequence, each on the Matcher the last one
// made, starting from an overlay of the given size: unlike BenchmarkWithUsers, whose iterations
// all patch the same receiver, it pays for the overlay's merges at their real rate. The chain
// starts again from the given overlay (outside the timer) after every 200 patches, so the overlay
// stays near its size.
func BenchmarkWithUsersChain(b *testing.B) {
	envs := lazyEnvs{}
	for _, n := range benchSizes {
		for _, k := range benchOverlays {
			b.Run(fmt.Sprintf("users=%d/overlay=%d", n, k), func(b *testing.B) {
				env := envs.get(b, n)
				start := env.patched(b, k)
				rest := env.patches[k:]
				m, i := start, 0
				b.ReportAllocs()
				for b.Loop() {
					if i%200 == 0 && i > 0 {
						b.StopTimer()
						m = start
						b.StartTimer()
					}
					p := &rest[i%len(rest)]
					var err error
					if m, err = m.WithUsers(map[string][]rules.Filter{p.user: p.filters}); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkMatchLatencyOverlay is BenchmarkMatchLatency on a matcher with an overlay of the given
// number of patched users (0: the plain base).
func BenchmarkMatchLatencyOverlay(b *testing.B) {
	envs := lazyEnvs{}
	n := benchSizes[len(benchSizes)-1]
	for _, k := range benchOverlays {
		b.Run(fmt.Sprintf("users=%d/overlay=%d", n, k), func(b *testing.B) {
			env := envs.get(b, n)
			m := env.m
			if k > 0 {
				m = env.patched(b, k)
			}
			matchLatency(b, env, m)
		})
	}
	// Both tiers of an overlay in use: 1,000 users patched at once, then 30 one at a time.
	k := benchOverlays[len(benchOverlays)-1]
	b.Run(fmt.Sprintf("users=%d/overlay=%d+30", n, k), func(b *testing.B) {
		env := envs.get(b, n)
		m := env.patched(b, k)
		for _, p := range env.patches[k : k+30] {
			var err error
			if m, err = m.WithUsers(map[string][]rules.Filter{p.user: p.filters}); err != nil {
				b.Fatal(err)
			}
		}
		matchLatency(b, env, m)
	})
}

// matchLatency times each message of env on m on its own and reports the median, the 99th
// percentile, the maximum and the candidates per message.
func matchLatency(b *testing.B, env *benchEnv, m *rules.Matcher) {
	b.Helper()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var durs []time.Duration
	var cands int
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		msg := &env.msgs[i%len(env.msgs)]
		t0 := time.Now()
		_, info := m.MatchWithInfo(msg, now)
		durs = append(durs, time.Since(t0))
		cands += info.Candidates
		i++
	}
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(durs[len(durs)-1].Nanoseconds()), "max-ns")
	b.ReportMetric(float64(cands)/float64(i), "candidates/msg")
}

// greedyShapes are the shapes of topic pattern starting with a wildcard measured in issue #21,
// each made from two words of real topics.
var greedyShapes = []struct {
	name    string
	pattern func(w1, w2 string) string
}{
	{"dotted", func(w1, w2 string) string { return "*." + w1 + ".*." + w2 }},           // *.W.*.W
	{"infix", func(w1, w2 string) string { return "*" + w1 + w2 + "*" }},               // *W*
	{"class", func(w1, w2 string) string { return "*" + w1 + "?" + w2 + "*[ab]" }},     // *W?W*[ab]
	{"scattered", func(w1, w2 string) string { return "*.*" + w1 + "*.*" + w2 + "*" }}, // *.*W*.*W*
}

// greedyWords returns the words of the messages' topics, the commonest first: the most hostile
// words for a greedy account to build its patterns from, as they are in most topics and so
// defeat an index on the words and characters a pattern requires.
func greedyWords(msgs []message.Message) []string {
	count := map[string]int{}
	for i := range msgs {
		for _, w := range strings.Split(msgs[i].Topic, ".") {
			count[w]++
		}
	}
	words := slices.Collect(maps.Keys(count))
	slices.SortFunc(words, func(a, b string) int { return cmp.Or(count[b]-count[a], strings.Compare(a, b)) })
	return words[:min(len(words), 80)]
}

// greedyFilters are one account's filters of perFilter topic patterns each, total patterns in
// all, in one shape, from pairs of words.
func greedyFilters(user string, words []string, pattern func(w1, w2 string) string, total, perFilter int) []rules.Filter {
	var fs []rules.Filter
	k := len(words)
	for i := 0; i < total; i += perFilter {
		f := rules.Filter{ID: int64(1<<40 + i), User: user, Name: "greedy", Enabled: true, Destinations: []int64{1 << 40},
			Conditions: []rules.Condition{{Field: rules.FieldTopic, Op: rules.OpGlob}}}
		for j := i; j < min(total, i+perFilter); j++ {
			f.Conditions[0].Values = append(f.Conditions[0].Values, pattern(words[j%k], words[(j/k+1+j)%k]))
		}
		fs = append(fs, f)
	}
	return fs
}

// BenchmarkGreedyUser is the cost one account adds to every message of a 10k-user population,
// for each pattern shape of greedyShapes built from the commonest topic words: none; one at the
// default budget of topic patterns starting with a wildcard (rules.DefaultBudgetLeadingWildcards,
// 10, one per filter); one with what the API accepted before quotas (10 filters of 500 such
// patterns), as older data the matcher's budget bounds ("unbounded"), and the same with no budget
// at all ("unbounded-nobudget": the word and trigram index alone). Each message is timed on its
// own (benchMatchEach): compare p50-ns with "none". Run it with GOMAXPROCS=1:
//
//	go test -run '^$' -bench 'BenchmarkGreedyUser' -cpu 1 ./pkg/rules
func BenchmarkGreedyUser(b *testing.B) {
	pop := population.Generate(population.Config{Users: 10_000, Seed: 1})
	msgs, err := pop.MappedCorpus()
	if err != nil {
		b.Skip(err)
	}
	words := greedyWords(msgs)
	type greedyCase struct {
		name      string
		shape     func(w1, w2 string) string
		patterns  int
		perFilter int
		noBudget  bool
	}
	cases := []greedyCase{{name: "none"}}
	for _, sh := range greedyShapes {
		cases = append(cases,
			greedyCase{name: sh.name + "/at-limits", shape: sh.pattern, patterns: 10, perFilter: 1},
			greedyCase{name: sh.name + "/unbounded", shape: sh.pattern, patterns: 5000, perFilter: 500},
			greedyCase{name: sh.name + "/unbounded-nobudget", shape: sh.pattern, patterns: 5000, perFilter: 500, noBudget: true})
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			snap := *pop.Snapshot
			if tc.patterns > 0 {
				snap.Filters = append(slices.Clip(snap.Filters), greedyFilters("greedy", words, tc.shape, tc.patterns, tc.perFilter)...)
			}
			if tc.noBudget {
				withoutBudget(&snap)
			}
			m, err := rules.Compile(&snap)
			if err != nil {
				b.Fatal(err)
			}
			benchMatchEach(b, &benchEnv{m: m, msgs: msgs})
		})
	}
}
