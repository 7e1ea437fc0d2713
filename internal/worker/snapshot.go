package worker

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// state is one immutable, compiled snapshot.
type state struct {
	prefs    *prefs.Snapshot
	matcher  *rules.Matcher
	loadedAt time.Time
}

// loader loads snapshots.
type loader interface {
	Snapshot(ctx context.Context) (*prefs.Snapshot, error)
}

// snapshots holds the current state and reloads it on request, never blocking matching: readers
// load an atomic pointer; a reload builds a new state and swaps it in.
type snapshots struct {
	cur     atomic.Pointer[state]
	load    loader
	logger  *slog.Logger
	now     func() time.Time
	m       *metrics
	request chan struct{}
}

func newSnapshots(l loader, logger *slog.Logger, now func() time.Time, m *metrics) *snapshots {
	return &snapshots{load: l, logger: logger, now: now, m: m, request: make(chan struct{}, 1)}
}

// current returns the state in force.
func (s *snapshots) current() *state { return s.cur.Load() }

// reload loads and compiles a fresh snapshot and swaps it in.
func (s *snapshots) reload(ctx context.Context) error {
	start := s.now()
	p, err := s.load.Snapshot(ctx)
	if err != nil {
		return err
	}
	m, err := rules.Compile(&p.Rules)
	if err != nil {
		return fmt.Errorf("compile snapshot: %w", err)
	}
	for _, inv := range m.Invalid() {
		// Stored filters are validated on write; one that fails now was written by an older
		// version. It is skipped, not fatal.
		s.logger.WarnContext(ctx, "stored filter does not validate; skipped", "filter_id", inv.ID, "error", inv.Err)
	}
	st := &state{prefs: p, matcher: m, loadedAt: s.now()}
	s.cur.Store(st)
	s.m.snapshotVersion.Set(float64(p.Version))
	s.m.snapshotLoadedAt.Set(float64(st.loadedAt.Unix()))
	s.m.snapshotFilters.Set(float64(len(p.Rules.Filters)))
	s.logger.DebugContext(ctx, "snapshot loaded", "version", p.Version, "filters", len(p.Rules.Filters), "took", s.now().Sub(start))
	return nil
}

// want asks for a reload if the change is newer than what is loaded (version 0: always).
func (s *snapshots) want(version int64) {
	if st := s.current(); version != 0 && st != nil && st.prefs.Version >= version {
		return
	}
	select {
	case s.request <- struct{}{}:
	default: // a reload is already pending; it will see this change too
	}
}

// run serves reload requests until ctx ends. Requests that arrive during a reload coalesce into
// one more reload.
func (s *snapshots) run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.request:
		}
		for {
			err := s.reload(ctx)
			if err == nil || ctx.Err() != nil {
				break
			}
			s.m.snapshotFailures.Inc()
			s.logger.WarnContext(ctx, "snapshot reload; retrying", "error", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(reloadRetry):
			}
		}
	}
}

// reloadRetry paces reload attempts while the database is unreachable.
const reloadRetry = time.Second
