package worker

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/population"
	"fmn/internal/population/popdb"
	"fmn/internal/testkit/pgtest"
	"fmn/pkg/message"
	"fmn/pkg/prefs/pgstore"
)

// benchDB is a database holding a generated population of n users.
type benchDB struct {
	pool  *pgxpool.Pool
	pop   *population.Population
	snaps *snapshots
	msgs  []message.Message
}

func setupBench(b *testing.B, n int) *benchDB {
	b.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(b)
	pop := population.Generate(population.Config{Users: n, Seed: 1})
	if _, err := popdb.Load(ctx, pool, pop); err != nil {
		b.Fatal(err)
	}
	msgs, err := pop.MappedCorpus()
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	snaps := newSnapshots(pgstore.New(pool), logger, time.Now, newMetrics(prometheus.NewRegistry()))
	return &benchDB{pool: pool, pop: pop, snaps: snaps, msgs: msgs}
}

var benchSizes = []int{10_000, 100_000}

// BenchmarkColdLoad is a worker's start: read every preference from Postgres and compile it.
func BenchmarkColdLoad(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			db := setupBench(b, n)
			ctx := context.Background()
			for b.Loop() {
				if err := db.snaps.reload(ctx); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
			runtime.KeepAlive(db)
		})
	}
}

// BenchmarkPatchUser is one preference change reaching a worker: read that user's preferences
// and patch them into the compiled state.
func BenchmarkPatchUser(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			db := setupBench(b, n)
			ctx := context.Background()
			if err := db.snaps.reload(ctx); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				user := db.pop.Users[(i*7919)%len(db.pop.Users)]
				i++
				if err := db.snaps.patchUsers(ctx, map[string]int64{user: 1}, 1); err != nil {
					b.Fatal(err)
				}
				if i%(maxOverlayUsers-50) == 0 {
					// Keep the overlay bounded as the worker does (it recompiles past maxOverlayUsers).
					b.StopTimer()
					if err := db.snaps.reload(ctx); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			}
		})
	}
}

// BenchmarkMatchDuringPatches matches corpus messages against the state in force while another
// goroutine patches 100 users a second, as a worker does under a steady stream of changes.
func BenchmarkMatchDuringPatches(b *testing.B) {
	for _, patching := range []bool{false, true} {
		b.Run(fmt.Sprintf("users=100000/patching=%v", patching), func(b *testing.B) {
			db := setupBench(b, 100_000)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if err := db.snaps.reload(ctx); err != nil {
				b.Fatal(err)
			}
			var patches atomic.Int64
			done := make(chan struct{})
			go func() {
				defer close(done)
				if !patching {
					return
				}
				t := time.NewTicker(10 * time.Millisecond)
				defer t.Stop()
				for i := 0; ; i++ {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
					if err := db.snaps.patchUsers(ctx, map[string]int64{db.pop.Users[(i*7919)%len(db.pop.Users)]: 1}, 1); err != nil && ctx.Err() == nil {
						b.Error(err)
						return
					}
					patches.Add(1)
				}
			}()
			start := time.Now()
			i := 0
			for b.Loop() {
				st := db.snaps.current()
				m := &db.msgs[i%len(db.msgs)]
				i++
				_ = st.matcher.Match(m, m.SentAt)
			}
			el := time.Since(start)
			cancel()
			<-done
			b.ReportMetric(float64(patches.Load())/el.Seconds(), "patches/s")
		})
	}
}
