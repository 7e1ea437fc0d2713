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
	fl, err := parseArchiveLoadFlags(args, stderr)
	if err != nil {
		return err
	}
	gen, err := fl.generator(stderr)
	if err != nil {
		return err
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := archive.NewStore(pool, time.Now)

	l := &archiveLoad{n: fl.n, start: time.Now()}
	defer l.reportEvery(fl.progress, stderr)()
	err = l.write(ctx, gen, store, fl.batch, fl.workers)
	l.report(stdout, true)
	if err != nil {
		return fmt.Errorf("load stopped (the messages counted above are archived): %w", err)
	}
	return nil
}

// archiveLoadFlags are archive-load's settings.
type archiveLoadFlags struct {
	n, days, users, batch, workers int
	seed                           uint64
	// end is the end of the span of send times.
	end      time.Time
	progress time.Duration
}

// parseArchiveLoadFlags reads and checks archive-load's flags.
func parseArchiveLoadFlags(args []string, stderr io.Writer) (archiveLoadFlags, error) {
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
		return archiveLoadFlags{}, err
	}
	if fs.NArg() > 0 {
		return archiveLoadFlags{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *n <= 0 || *days <= 0 || *batch <= 0 || *workers <= 0 || *users <= 0 {
		return archiveLoadFlags{}, fmt.Errorf("-n, -days, -batch, -workers and -users must be positive")
	}
	fl := archiveLoadFlags{n: *n, days: *days, users: *users, batch: *batch, workers: *workers, seed: *seed,
		end: time.Now().UTC().Truncate(24 * time.Hour), progress: *progress}
	if *endFlag != "" {
		t, err := time.Parse(time.DateOnly, *endFlag)
		if err != nil {
			return archiveLoadFlags{}, fmt.Errorf("-end: %w", err)
		}
		fl.end = t
	}
	return fl, nil
}

// generator returns the generator of the messages to load, and says on stderr what they are.
func (fl archiveLoadFlags) generator(stderr io.Writer) (*synth.Generator, error) {
	recs, err := corpus.LoadDefault()
	if err != nil {
		return nil, err
	}
	pop := population.Generate(population.Config{Users: fl.users, Seed: fl.seed})
	span := time.Duration(fl.days) * 24 * time.Hour
	gen, err := synth.New(synth.Config{Seed: fl.seed, N: fl.n, Start: fl.end.Add(-span), Span: span, Population: pop}, recs)
	if err != nil {
		return nil, err
	}
	var mix []string
	for _, f := range gen.Families()[:min(8, len(gen.Families()))] {
		mix = append(mix, fmt.Sprintf("%s %.1f%%", f.Family, 100*f.Share))
	}
	fmt.Fprintf(stderr, "%d messages from %s to %s; families: %s, ...\n", fl.n, fl.end.Add(-span).Format(time.DateOnly),
		fl.end.Format(time.DateOnly), strings.Join(mix, ", "))
	return gen, nil
}

// archiveLoad is one run of archive-load: how many messages it writes, since when, and how many
// are archived so far.
type archiveLoad struct {
	n     int
	start time.Time
	done  atomic.Int64
}

// report writes the messages archived so far and the rate, as the final line or as progress.
func (l *archiveLoad) report(w io.Writer, final bool) {
	d := l.done.Load()
	el := time.Since(l.start)
	verb := "archived"
	if !final {
		verb = "progress:"
	}
	fmt.Fprintf(w, "%s %d of %d messages in %s (%.0f msg/s)\n", verb, d, l.n, el.Round(time.Second), float64(d)/el.Seconds())
}

// reportEvery reports progress on w every interval until the returned func is called.
func (l *archiveLoad) reportEvery(interval time.Duration, w io.Writer) (stop func()) {
	stopProgress := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				l.report(w, false)
			}
		}
	})
	return func() { close(stopProgress); wg.Wait() }
}

// write archives gen's messages in batches of batch, with workers concurrent writers, until all
// are written or one write fails.
func (l *archiveLoad) write(ctx context.Context, gen *synth.Generator, store *archive.Store, batch, workers int) error {
	g, gctx := errgroup.WithContext(ctx)
	next := make(chan int)
	g.Go(func() error {
		defer close(next)
		for from := 0; from < l.n; from += batch {
			select {
			case next <- from:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	for range workers {
		g.Go(func() error {
			for from := range next {
				msgs := gen.Batch(from, batch)
				if err := store.Write(gctx, msgs); err != nil {
					return err
				}
				l.done.Add(int64(len(msgs)))
			}
			return nil
		})
	}
	return g.Wait()
}
