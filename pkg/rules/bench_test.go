package rules_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"fmn/internal/population"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// Benchmarks run on a generated population (internal/population: ≈4 filters and ≈12 conditions
// per user) with the real corpus mapped onto it. Run them with:
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
	pop := population.Generate(population.Config{Users: users, Seed: 1})
	m, err := rules.Compile(pop.Snapshot)
	if err != nil {
		b.Fatal(err)
	}
	msgs, err := pop.MappedCorpus()
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

// BenchmarkCompile reports the time to compile a whole population (ns/op) and the heap the
// matcher holds beyond the snapshot (heap-MiB), plus the heap of snapshot and matcher together.
func BenchmarkCompile(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			pop := population.Generate(population.Config{Users: n, Seed: 1})
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
			b.ReportMetric(float64(pop.Conditions)/float64(n), "conds/user")
			b.ReportMetric(float64(st.AlwaysCheck), "always-check")
			b.ReportMetric(float64(st.Postings), "postings")
			runtime.KeepAlive(m)
			runtime.KeepAlive(pop)
		})
	}
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
		})
	}
}

// greedyFilters are one account's filters on topic patterns that all start with a wildcard, in
// the costliest shape measured (`*.*W*.*W*`, tried one by one against every message): filters of
// perFilter patterns each, total patterns in all.
func greedyFilters(user string, total, perFilter int) []rules.Filter {
	var fs []rules.Filter
	for i := 0; i < total; i += perFilter {
		f := rules.Filter{ID: int64(1<<40 + i), User: user, Name: "greedy", Enabled: true, Destinations: []int64{1 << 40},
			Conditions: []rules.Condition{{Field: rules.FieldTopic, Op: rules.OpGlob}}}
		for j := i; j < min(total, i+perFilter); j++ {
			f.Conditions[0].Values = append(f.Conditions[0].Values, fmt.Sprintf("*.*%c*.*%c*", 'a'+j%26, 'a'+(j/26)%26))
		}
		fs = append(fs, f)
	}
	return fs
}

// BenchmarkGreedyUser is the cost one account adds to every message of a 10k-user population:
// none, one at the default quota of topic patterns starting with a wildcard
// (prefs.DefaultLeadingWildcardsPerUser, 10, in its 100 filters at most), and one without the
// quota (10 filters of 500 such patterns: what the API accepted before quotas).
func BenchmarkGreedyUser(b *testing.B) {
	pop := population.Generate(population.Config{Users: 10_000, Seed: 1})
	msgs, err := pop.MappedCorpus()
	if err != nil {
		b.Skip(err)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		patterns  int
		perFilter int
	}{
		{name: "none"},
		{name: "at-quota", patterns: 10, perFilter: 1},
		{name: "unbounded", patterns: 5000, perFilter: 500},
	} {
		b.Run(tc.name, func(b *testing.B) {
			snap := pop.Snapshot
			snap.Filters = append(slices.Clip(snap.Filters), greedyFilters("greedy", tc.patterns, tc.perFilter)...)
			m, err := rules.Compile(snap)
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				m.Match(&msgs[i%len(msgs)], now)
				i++
			}
		})
	}
}
