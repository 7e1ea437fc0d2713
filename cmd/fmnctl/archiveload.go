package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"fmn/internal/archive"
	"fmn/internal/archive/synth"
	"fmn/internal/corpus"
	"fmn/internal/population"
)

// archiveLoadCmd fills the message archive with synthetic, corpus-shaped messages.
func archiveLoadCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000000, "number of messages")
	days := fs.Int("days", 60, "days the send times span, ending at -end")
	endFlag := fs.String("end", "", "end of the span, YYYY-MM-DD (default: today, 00:00 UTC)")
	seed := fs.Uint64("seed", 1, "seed of the messages and the population")
	users := fs.Int("users", 100000, "users in the population")
	batch := fs.Int("batch", 5000, "messages per archive write (one transaction)")
	workers := fs.Int("workers", 2, "concurrent writers")
	progress := fs.Duration("progress", 10*time.Second, "how often to report progress on stderr")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl archive-load [flags]

Writes synthetic messages shaped like the real-message corpus (Fedora's topic mix, users and
packages of a generated population with popularity skew) into the message archive, through the
archive's own writer. The same flags (with the same -end) give the same messages, so a rerun adds
nothing.
Uses FMN_DATABASE_URL and the corpus (FMN_CORPUS or the repository's testdata/corpus).

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *n <= 0 || *days <= 0 || *batch <= 0 || *workers <= 0 || *users <= 0 {
		return fmt.Errorf("-n, -days, -batch, -workers and -users must be positive")
	}
	end := time.Now().UTC().Truncate(24 * time.Hour)
	if *endFlag != "" {
		t, err := time.Parse(time.DateOnly, *endFlag)
		if err != nil {
			return fmt.Errorf("-end: %w", err)
		}
		end = t
	}
	recs, err := corpus.LoadDefault()
	if err != nil {
		return err
	}
	pop := population.Generate(population.Config{Users: *users, Seed: *seed})
	span := time.Duration(*days) * 24 * time.Hour
	gen, err := synth.New(synth.Config{Seed: *seed, N: *n, Start: end.Add(-span), Span: span, Population: pop}, recs)
	if err != nil {
		return err
	}
	var mix []string
	for _, f := range gen.Families()[:min(8, len(gen.Families()))] {
		mix = append(mix, fmt.Sprintf("%s %.1f%%", f.Family, 100*f.Share))
	}
	fmt.Fprintf(stderr, "%d messages from %s to %s; families: %s, ...\n", *n, end.Add(-span).Format(time.DateOnly),
		end.Format(time.DateOnly), strings.Join(mix, ", "))
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := archive.NewStore(pool, time.Now)

	start := time.Now()
	var done atomic.Int64
	report := func(w io.Writer, final bool) {
		d := done.Load()
		el := time.Since(start)
		verb := "archived"
		if !final {
			verb = "progress:"
		}
		fmt.Fprintf(w, "%s %d of %d messages in %s (%.0f msg/s)\n", verb, d, *n, el.Round(time.Second), float64(d)/el.Seconds())
	}
	stopProgress := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(*progress)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				report(stderr, false)
			}
		}
	})
	defer func() { close(stopProgress); wg.Wait() }()

	g, gctx := errgroup.WithContext(ctx)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for from := 0; from < *n; from += *batch {
			select {
			case next <- from:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	for range *workers {
		g.Go(func() error {
			for from := range next {
				msgs := gen.Batch(from, *batch)
				if err := store.Write(gctx, msgs); err != nil {
					return err
				}
				done.Add(int64(len(msgs)))
			}
			return nil
		})
	}
	err = g.Wait()
	report(stdout, true)
	if err != nil {
		return fmt.Errorf("load stopped (the messages counted above are archived): %w", err)
	}
	return nil
}
