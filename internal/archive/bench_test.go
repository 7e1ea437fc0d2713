package archive_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fmn/internal/archive"
	"fmn/internal/archive/synth"
	"fmn/internal/corpus"
	"fmn/internal/population"
	"fmn/internal/testkit/pgtest"
)

// BenchmarkWrite measures Store.Write on corpus-shaped synthetic messages sent "now" (one weekly
// partition, as a live consumer writes), into a fresh archive per batch size. One op is one batch;
// msgs/s is what the consumer's archiving can sustain with one writer at that batch size.
func BenchmarkWrite(b *testing.B) {
	recs, err := corpus.LoadDefault()
	if err != nil {
		b.Skipf("corpus: %v", err)
	}
	pop := population.Generate(population.Config{Users: 10000, Seed: 1})
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, size := range []int{64, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			ctx := context.Background()
			store := archive.NewStore(pgtest.Pool(b), time.Now)
			// N only spreads the send times; a large one keeps them within the first hour.
			gen, err := synth.New(synth.Config{Seed: 1, N: 1 << 30, Start: start, Span: 7 * 24 * time.Hour, Population: pop}, recs)
			if err != nil {
				b.Fatal(err)
			}
			next := 0
			var spent time.Duration
			for b.Loop() {
				msgs := gen.Batch(next, size)
				next += size
				t0 := time.Now()
				if err := store.Write(ctx, msgs); err != nil {
					b.Fatal(err)
				}
				spent += time.Since(t0)
			}
			b.ReportMetric(float64(next)/spent.Seconds(), "msgs/s")
			b.ReportMetric(float64(spent.Microseconds())/float64(next), "µs/msg")
		})
	}
}
