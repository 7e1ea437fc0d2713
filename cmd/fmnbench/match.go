package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"fmn/internal/population"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// matchBench measures the compiled matcher on a generated population (issue #21): it builds a
// population of -users in -shape, compiles it (time, and the heap the matcher holds), maps
// -messages corpus messages onto it (internal/population MappedMessages: the corpus over and
// over, each pass naming other users, packages and groups) and matches them one by one, timing
// each. Run it on one core, as BENCHMARKS.md does:
//
//	GOMAXPROCS=1 bin/fmnbench match -shape fedora -users 100000
func matchBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fmnbench match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	users := fs.Int("users", 10000, "users in the population")
	shapeName := fs.String("shape", string(population.ShapeFedora), "population shape: fedora or default")
	seed := fs.Uint64("seed", 1, "population seed")
	messages := fs.Int("messages", 10000, "messages matched, each once (the corpus, mapped again on each pass)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the matching (not of generation or compile) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	shape, err := population.ParseShape(*shapeName)
	if err != nil {
		return err
	}
	if *users < 1 || *messages < 1 {
		return errors.New("need -users >= 1 and -messages >= 1")
	}
	rep, err := runMatchBench(ctx, population.Config{Users: *users, Seed: *seed, Shape: shape}, *messages, *cpuProfile)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	rep.print(stdout)
	return nil
}

// matchReport is what fmnbench match measures.
type matchReport struct {
	Shape      population.Shape `json:"shape"`
	Users      int              `json:"users"`
	Seed       uint64           `json:"seed"`
	GOMAXPROCS int              `json:"gomaxprocs"`

	Filters     int     `json:"filters"`
	CondsPerUsr float64 `json:"conditions_per_user"`
	Ownership   int     `json:"ownership_rows"`
	Memberships int     `json:"memberships"`
	GenerateS   float64 `json:"generate_s"`

	CompileS       float64     `json:"compile_s"`
	MatcherHeapMiB float64     `json:"matcher_heap_mib"`
	TotalHeapMiB   float64     `json:"heap_with_snapshot_mib"`
	MatchHeapMiB   float64     `json:"heap_while_matching_mib"`
	Stats          rules.Stats `json:"stats"`

	Messages       int     `json:"messages"`
	MedianUS       float64 `json:"median_us"`
	P99US          float64 `json:"p99_us"`
	MaxUS          float64 `json:"max_us"`
	MeanUS         float64 `json:"mean_us"`
	CandidatesMsg  float64 `json:"candidates_per_message"`
	MatchesMsg     float64 `json:"matches_per_message"`
	BodyParsesMsg  float64 `json:"body_parses_per_message"`
	NoMatchShare   float64 `json:"share_matching_nobody"`
	CostPerMatchUS float64 `json:"mean_cost_per_match_us"`
}

// runMatchBench generates, compiles and matches; see matchBench. With profile set, it writes a
// CPU profile of the matching there.
func runMatchBench(ctx context.Context, cfg population.Config, n int, profile string) (*matchReport, error) {
	rep := &matchReport{Shape: cfg.Shape, Users: cfg.Users, Seed: cfg.Seed, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	t0 := time.Now()
	pop := population.Generate(cfg)
	rep.Shape = pop.Shape
	rep.GenerateS = time.Since(t0).Seconds()
	rep.Filters, rep.Ownership, rep.Memberships = len(pop.Snapshot.Filters), len(pop.Snapshot.Ownership), len(pop.Snapshot.Memberships)
	rep.CondsPerUsr = float64(pop.Conditions) / float64(cfg.Users)
	msgs, err := pop.MappedMessages(n)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := rep.compile(pop)
	if err != nil {
		return nil, err
	}
	// A worker keeps only the matcher once compiled, so the collector scans only that.
	pop.Snapshot = nil
	rep.MatchHeapMiB = heapMiB()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rep.match(m, msgs)
	runtime.KeepAlive(m)
	return rep, nil
}

// heapMiB is the live heap after a collection, in MiB.
func heapMiB() float64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// compile compiles pop and records the time and the heap the matcher adds to the snapshot's.
func (rep *matchReport) compile(pop *population.Population) (*rules.Matcher, error) {
	before := heapMiB()
	t0 := time.Now()
	m, err := rules.Compile(pop.Snapshot)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	rep.CompileS = time.Since(t0).Seconds()
	rep.TotalHeapMiB = heapMiB()
	rep.MatcherHeapMiB = rep.TotalHeapMiB - before
	rep.Stats = m.Stats()
	return m, nil
}

// match matches every message once, after a warm-up over the first few hundred, and records
// the latencies and the work per message.
func (rep *matchReport) match(m *rules.Matcher, msgs []message.Message) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for i := range msgs[:min(len(msgs), 500)] {
		m.Match(&msgs[i], now)
	}
	durs := make([]time.Duration, len(msgs))
	var total time.Duration
	var cands, matches, parses, none int
	for i := range msgs {
		t0 := time.Now()
		out, info := m.MatchWithInfo(&msgs[i], now)
		durs[i] = time.Since(t0)
		total += durs[i]
		cands += info.Candidates
		matches += len(out)
		if info.BodyParsed {
			parses++
		}
		if len(out) == 0 {
			none++
		}
	}
	slices.Sort(durs)
	n := float64(len(msgs))
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	rep.Messages = len(msgs)
	rep.MedianUS, rep.P99US, rep.MaxUS = us(durs[len(durs)/2]), us(durs[len(durs)*99/100]), us(durs[len(durs)-1])
	rep.MeanUS = us(total) / n
	rep.CandidatesMsg, rep.MatchesMsg = float64(cands)/n, float64(matches)/n
	rep.BodyParsesMsg, rep.NoMatchShare = float64(parses)/n, float64(none)/n
	if matches > 0 {
		rep.CostPerMatchUS = us(total) / float64(matches)
	}
}

// print writes the report as text.
func (rep *matchReport) print(w io.Writer) {
	st := &rep.Stats
	fmt.Fprintf(w, "population: shape %s, %d users, seed %d, GOMAXPROCS=%d: %d filters (%.2f/user, %.2f conditions/user), %d ownership rows, %d memberships; generated in %.2f s\n",
		rep.Shape, rep.Users, rep.Seed, rep.GOMAXPROCS, rep.Filters, float64(rep.Filters)/float64(rep.Users), rep.CondsPerUsr, rep.Ownership, rep.Memberships, rep.GenerateS)
	fmt.Fprintf(w, "compile: %.2f s; matcher heap %.1f MiB (snapshot + matcher %.1f MiB; matcher + messages while matching %.1f MiB)\n",
		rep.CompileS, rep.MatcherHeapMiB, rep.TotalHeapMiB, rep.MatchHeapMiB)
	fmt.Fprintf(w, "index: %d indexed (user %d, artifact %d, owned %d, group %d, topic %d, glob %d, app %d), %d always-check, %d postings, %d glob patterns, %d unmatchable, %d invalid\n",
		st.Indexed, st.ByUser, st.ByArtifact, st.ByOwned, st.ByGroup, st.ByTopic, st.ByTopicGlob, st.ByApp, st.AlwaysCheck, st.Postings, st.GlobPatterns, st.Unmatchable, st.Invalid)
	fmt.Fprintf(w, "match: %d messages: median %.1f µs, p99 %.1f µs, max %.1f µs, mean %.1f µs\n",
		rep.Messages, rep.MedianUS, rep.P99US, rep.MaxUS, rep.MeanUS)
	fmt.Fprintf(w, "per message: %.1f candidates, %.1f (user, destination) matches, %.3f body parses, %.1f %% match nobody; mean cost per match %.3f µs\n",
		rep.CandidatesMsg, rep.MatchesMsg, rep.BodyParsesMsg, 100*rep.NoMatchShare, rep.CostPerMatchUS)
}
