package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// maxOverlayUsers is how many patched users a state carries before the worker reloads and
// recompiles everything in the background: each patch re-indexes every patched user (about 3 µs
// each), so past a few hundred a patch would cost more than a millisecond, and matching slows by
// a few µs.
const maxOverlayUsers = 300

// reloadRetry paces reload attempts while the database is unreachable.
const reloadRetry = time.Second

// state is one immutable, compiled view of every user's preferences. A full load builds the base;
// a user patch makes a new state sharing the base and carrying the patched users' destinations
// and filter names in small overlay maps.
type state struct {
	version  int64
	matcher  *rules.Matcher
	loadedAt time.Time

	baseDests map[int64]prefs.Destination
	baseNames map[int64]string
	dests     map[int64]prefs.Destination // patched users' deliverable destinations
	names     map[int64]string            // patched users' filter names
	// baseOneShot holds the one-shot filters of the base; oneShot the patched users' filters
	// (false too, to override the base).
	baseOneShot map[int64]bool
	oneShot     map[int64]bool
}

// destination returns a deliverable destination by id.
func (st *state) destination(id int64) (prefs.Destination, bool) {
	if d, ok := st.dests[id]; ok {
		return d, true
	}
	d, ok := st.baseDests[id]
	return d, ok
}

// filterName returns a filter's name.
func (st *state) filterName(id int64) string {
	if n, ok := st.names[id]; ok {
		return n
	}
	return st.baseNames[id]
}

// isOneShot reports whether a filter disables itself after its first match.
func (st *state) isOneShot(id int64) bool {
	if v, ok := st.oneShot[id]; ok {
		return v
	}
	return st.baseOneShot[id]
}

// oneShotSet lists the one-shot filters among fs.
func oneShotSet(fs []rules.Filter) map[int64]bool {
	out := map[int64]bool{}
	for _, f := range fs {
		if f.OneShot {
			out[f.ID] = true
		}
	}
	return out
}

// deliverableOnly keeps, in each filter, only the destinations in ok: the matcher then never
// names a destination that is disabled, unconfirmed or gone.
func deliverableOnly(fs []rules.Filter, ok func(int64) bool) {
	for i := range fs {
		kept := fs[i].Destinations[:0:0]
		for _, d := range fs[i].Destinations {
			if ok(d) {
				kept = append(kept, d)
			}
		}
		fs[i].Destinations = kept
	}
}

// loader loads preferences.
type loader interface {
	Snapshot(ctx context.Context) (*prefs.Snapshot, error)
	UserPrefs(ctx context.Context, name string) (prefs.UserPrefs, int64, error)
	Version(ctx context.Context) (int64, error)
}

// snapshots holds the state in force and changes it on request, never blocking matching: readers
// load an atomic pointer; one goroutine (run) builds new states and swaps them in.
type snapshots struct {
	cur    atomic.Pointer[state]
	load   loader
	logger *slog.Logger
	now    func() time.Time
	m      *metrics

	mu      sync.Mutex
	all     bool             // a full reload is pending
	users   map[string]int64 // users to patch, with the newest change version seen for each
	version int64            // newest change version asked for
	wake    chan struct{}
}

func newSnapshots(l loader, logger *slog.Logger, now func() time.Time, m *metrics) *snapshots {
	return &snapshots{load: l, logger: logger, now: now, m: m, users: map[string]int64{}, wake: make(chan struct{}, 1)}
}

// current returns the state in force.
func (s *snapshots) current() *state { return s.cur.Load() }

// reloadAll asks for a full reload (after a reconnect, an ownership change, or an unreadable event).
func (s *snapshots) reloadAll() {
	s.mu.Lock()
	s.all = true
	s.mu.Unlock()
	s.signal()
}

// versionTimeout bounds the version lookup of reloadIfBehind.
const versionTimeout = 5 * time.Second

// reloadIfBehind asks for a full reload unless the state in force is as new as the database's
// change version (or that cannot be read): what a newly bound prefs queue needs, without a second
// full load right after the worker's first (seconds of CPU at 100k users).
func (s *snapshots) reloadIfBehind(ctx context.Context) {
	s.m.catchUps.Inc()
	ctx, cancel := context.WithTimeout(ctx, versionTimeout)
	defer cancel()
	v, err := s.load.Version(ctx)
	if err == nil && v <= s.current().version {
		return
	}
	s.reloadAll()
}

// patch asks for user's preferences to be reloaded; version is the change's outbox id.
func (s *snapshots) patch(user string, version int64) {
	s.mu.Lock()
	s.users[user] = max(s.users[user], version)
	s.version = max(s.version, version)
	s.mu.Unlock()
	s.signal()
}

func (s *snapshots) signal() {
	select {
	case s.wake <- struct{}{}:
	default: // already signalled; the run loop takes everything pending at once
	}
}

// built is the outcome of a background build.
type built struct {
	st  *state
	err error
}

// run applies requests until ctx ends. Users are patched into the state in force at once; a full
// reload (asked for, or due because the patched users pile up) is built in the background while
// patches go on, and the users patched meanwhile are patched again onto it before it is swapped in.
func (s *snapshots) run(ctx context.Context) error {
	var (
		building bool
		again    bool             // a full reload was asked for while one was being built
		during   map[string]int64 // users patched while building
		done     = make(chan built, 1)
	)
	startBuild := func() {
		building, again, during = true, false, map[string]int64{}
		go func() {
			st, err := s.build(ctx)
			done <- built{st, err}
		}()
	}
	for {
		select {
		case <-ctx.Done():
			if building {
				<-done
			}
			return nil
		case b := <-done:
			building = false
			if b.err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.m.snapshotFailures.Inc()
				s.logger.WarnContext(ctx, "preferences reload; retrying", "error", b.err)
				time.AfterFunc(reloadRetry, s.reloadAll)
				continue
			}
			st := b.st
			if len(during) > 0 {
				// The build read the database before some of the changes patched meanwhile.
				var newest int64
				for _, v := range during {
					newest = max(newest, v)
				}
				p, err := s.patchOnto(ctx, st, during, newest)
				if err != nil {
					s.logger.WarnContext(ctx, "re-patching onto a fresh load; reloading again", "error", err)
					again = true
				} else {
					st = p
				}
			}
			if !again {
				s.swap(st)
				s.m.snapshotFilters.Set(float64(st.matcher.Stats().Filters))
				s.m.reloads.WithLabelValues("full").Inc()
				// So many users were patched during a slow build (a loaded machine, a large
				// database) that the fresh state carries a pile of patches again: compact it now,
				// not at the next change, which may never come.
				if st.matcher.OverlayUsers() <= maxOverlayUsers {
					continue
				}
			}
			startBuild()
			continue
		case <-s.wake:
		}
		s.mu.Lock()
		all, users, version := s.all, s.users, s.version
		s.all, s.users = false, map[string]int64{}
		s.mu.Unlock()
		if all {
			if building {
				again = true
			} else {
				startBuild()
			}
		}
		if len(users) == 0 {
			continue
		}
		st, err := s.patchOnto(ctx, s.current(), users, version)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.m.snapshotFailures.Inc()
			s.logger.WarnContext(ctx, "preferences patch; retrying", "error", err)
			s.retry(users, version)
			continue
		}
		s.swap(st)
		s.m.reloads.WithLabelValues("patch").Add(float64(len(users)))
		if building {
			for u, v := range users {
				during[u] = max(during[u], v)
			}
		} else if st.matcher.OverlayUsers() > maxOverlayUsers {
			startBuild()
		}
	}
}

// retry puts users back in the queue and wakes the run loop after a pause.
func (s *snapshots) retry(users map[string]int64, version int64) {
	s.mu.Lock()
	for u, v := range users {
		s.users[u] = max(s.users[u], v)
	}
	s.version = max(s.version, version)
	s.mu.Unlock()
	time.AfterFunc(reloadRetry, s.signal)
}

// reload loads and compiles everything and swaps it in at once (the worker's start).
func (s *snapshots) reload(ctx context.Context) error {
	st, err := s.build(ctx)
	if err != nil {
		return err
	}
	s.swap(st)
	s.m.snapshotFilters.Set(float64(st.matcher.Stats().Filters))
	s.m.reloads.WithLabelValues("full").Inc()
	return nil
}

// buildGCPercent is the garbage collector's target while a snapshot is built. A build allocates
// about four times the heap it leaves behind (1.2 GB for 100k users), nearly all of it garbage at
// once; collecting less often during those few seconds cuts a cold load by about a tenth, for a
// higher peak. Builds never overlap (one run loop), so setting it process-wide is safe.
const buildGCPercent = 400

// build loads and compiles everything into a new state.
func (s *snapshots) build(ctx context.Context) (*state, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(buildGCPercent))
	start := s.now()
	p, err := s.load.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	deliverableOnly(p.Rules.Filters, func(id int64) bool { _, ok := p.Destinations[id]; return ok })
	m, err := rules.Compile(&p.Rules)
	if err != nil {
		return nil, fmt.Errorf("compile snapshot: %w", err)
	}
	s.logInvalid(ctx, m)
	s.logger.DebugContext(ctx, "preferences loaded", "version", p.Version, "filters", len(p.Rules.Filters), "took", s.now().Sub(start))
	return &state{version: p.Version, matcher: m, loadedAt: s.now(), baseDests: p.Destinations, baseNames: p.FilterNames,
		baseOneShot: oneShotSet(p.Rules.Filters)}, nil
}

// patchUsers reloads the given users' preferences and patches them into the state in force.
func (s *snapshots) patchUsers(ctx context.Context, users map[string]int64, version int64) error {
	st, err := s.patchOnto(ctx, s.current(), users, version)
	if err != nil {
		return err
	}
	s.swap(st)
	s.m.reloads.WithLabelValues("patch").Add(float64(len(users)))
	return nil
}

// patchOnto reloads the given users' preferences and returns old with them patched in.
func (s *snapshots) patchOnto(ctx context.Context, old *state, users map[string]int64, version int64) (*state, error) {
	replaced := make(map[string][]rules.Filter, len(users))
	dests := maps.Clone(old.dests)
	names := maps.Clone(old.names)
	oneShot := maps.Clone(old.oneShot)
	if dests == nil {
		dests, names, oneShot = map[int64]prefs.Destination{}, map[int64]string{}, map[int64]bool{}
	}
	for user := range users {
		up, _, err := s.load.UserPrefs(ctx, user)
		if err != nil {
			return nil, err
		}
		mine := make(map[int64]bool, len(up.Destinations))
		for _, d := range up.Destinations {
			mine[d.ID] = true
			dests[d.ID] = d
		}
		deliverableOnly(up.Filters, func(id int64) bool { return mine[id] })
		for _, f := range up.Filters {
			names[f.ID] = f.Name
			oneShot[f.ID] = f.OneShot
		}
		replaced[user] = up.Filters
	}
	m, err := old.matcher.WithUsers(replaced)
	if err != nil {
		return nil, fmt.Errorf("patch users: %w", err)
	}
	s.logInvalid(ctx, m)
	return &state{version: max(old.version, version), matcher: m, loadedAt: old.loadedAt,
		baseDests: old.baseDests, baseNames: old.baseNames, dests: dests, names: names,
		baseOneShot: old.baseOneShot, oneShot: oneShot}, nil
}

func (s *snapshots) swap(st *state) {
	s.cur.Store(st)
	s.m.snapshotVersion.Set(float64(st.version))
	s.m.snapshotLoadedAt.Set(float64(st.loadedAt.Unix()))
	s.m.overlayUsers.Set(float64(st.matcher.OverlayUsers()))
}

func (s *snapshots) logInvalid(ctx context.Context, m *rules.Matcher) {
	for _, inv := range m.Invalid() {
		// Stored filters are validated and weighed on write; one that fails now was written by an
		// older version, or before the quotas were lowered. It is skipped, not fatal.
		var over *rules.BudgetError
		if errors.As(inv.Err, &over) {
			s.logger.WarnContext(ctx, "stored filter takes its user past the budget; skipped", "filter_id", inv.ID, "error", inv.Err)
			continue
		}
		s.logger.WarnContext(ctx, "stored filter does not validate; skipped", "filter_id", inv.ID, "error", inv.Err)
	}
}
