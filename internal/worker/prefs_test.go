package worker

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"fmn/internal/lifecycle"
	"fmn/internal/prefsbus"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/testkit/rabbittest"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// prefsBundle is a database with its outbox relay and any number of workers' preference
// machinery (snapshot + prefs consumer), each on its own broker connection.
type prefsBundle struct {
	t      *testing.T
	url    string
	topo   rabbit.Topology
	pool   *pgxpool.Pool
	store  *pgstore.Store
	logger *slog.Logger
}

func setupPrefs(t *testing.T, url string) *prefsBundle {
	t.Helper()
	b := &prefsBundle{t: t, url: url, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b.topo = rabbittest.Topology(t, url)
	b.pool = pgtest.Pool(t)
	b.store = pgstore.New(b.pool, pgstore.WithDefaultFilters(nil))
	conn := b.dial()
	pub := conn.NewPublisher()
	t.Cleanup(func() { _ = pub.Close() })
	relay := pgstore.NewRelay(b.pool, prefsbus.Publisher(pub, b.topo.PrefsExchange, time.Now), b.logger, 50*time.Millisecond)
	b.run(relay.Run)
	return b
}

func (b *prefsBundle) dial() *rabbit.Conn {
	b.t.Helper()
	conn, err := rabbit.Dial(rabbit.Config{URL: b.url, Setup: b.topo.Declare}, rabbit.Deps{Logger: b.logger})
	require.NoError(b.t, err)
	b.t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// run runs fn until the test ends.
func (b *prefsBundle) run(fns ...func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lifecycle.Group(ctx, fns...) }()
	b.t.Cleanup(func() { cancel(); require.NoError(b.t, <-done) })
}

// startWorker starts one worker's preference machinery and returns its snapshots.
func (b *prefsBundle) startWorker() *snapshots {
	b.t.Helper()
	snaps := newSnapshots(b.store, b.logger, time.Now, newMetrics(prometheus.NewRegistry()))
	require.NoError(b.t, snaps.reload(context.Background()))
	w := &worker{cfg: Config{Topology: b.topo}, logger: b.logger, snaps: snaps}
	conn := b.dial()
	b.run(snaps.run, func(ctx context.Context) error { return w.consumePrefs(ctx, conn) })
	return snaps
}

// matches is what a state makes of msg: user → destination ids.
func matches(st *state, msg *message.Message) map[string][]int64 {
	out := map[string][]int64{}
	for _, m := range st.matcher.Match(msg, time.Now()) {
		if _, ok := st.destination(m.Destination); ok {
			out[m.User] = append(out[m.User], m.Destination)
		}
	}
	return out
}

// expected is what a fresh load of the database makes of msg.
func (b *prefsBundle) expected(msg *message.Message) (map[string][]int64, int64) {
	b.t.Helper()
	snaps := newSnapshots(b.store, b.logger, time.Now, newMetrics(prometheus.NewRegistry()))
	require.NoError(b.t, snaps.reload(context.Background()))
	return matches(snaps.current(), msg), snaps.current().version
}

func involving(users ...string) *message.Message {
	return &message.Message{ID: "probe", Topic: "org.fedoraproject.prod.bodhi.update.comment", App: "bodhi", Severity: 20, Usernames: users}
}

func (b *prefsBundle) user(name string) (prefs.User, int64) {
	b.t.Helper()
	u, err := b.store.CreateUser(context.Background(), name, "")
	require.NoError(b.t, err)
	ds, err := b.store.Destinations(context.Background(), u)
	require.NoError(b.t, err)
	return u, ds[0].ID
}

// usersWithOwnFilter creates n users named prefix0000, prefix0001, …, each with one filter for
// messages involving them, sending to their stream, and returns their names.
func (b *prefsBundle) usersWithOwnFilter(prefix string, n int) []string {
	b.t.Helper()
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("%s%04d", prefix, i)
		u, sse := b.user(names[i])
		_, err := b.store.CreateFilter(context.Background(), u, rules.Filter{Name: "mine", Enabled: true, Destinations: []int64{sse},
			Conditions: []rules.Condition{{Field: rules.FieldUser, Values: []string{rules.Me}}}})
		require.NoError(b.t, err)
	}
	return names
}

// A change made through the store reaches matching on two workers within a second; a membership
// change makes a group's artifacts match for its new member.
func TestChangesReachEveryWorkerWithinASecond(t *testing.T) {
	t.Parallel()
	b := setupPrefs(t, rabbittest.URL(t))
	ctx := context.Background()
	workers := []*snapshots{b.startWorker(), b.startWorker()}
	// Let each worker bind its prefs queue; nothing changed since their loads, so they do not
	// load again.
	require.Eventually(t, func() bool {
		for _, w := range workers {
			if testutil.ToFloat64(w.m.catchUps) < 1 {
				return false
			}
		}
		return true
	}, 10*time.Second, 5*time.Millisecond)
	for _, w := range workers {
		require.Equal(t, 1.0, testutil.ToFloat64(w.m.reloads.WithLabelValues("full")), "no second full load at start")
	}

	alice, sse := b.user("alice")
	_, err := b.store.CreateFilter(ctx, alice, rules.Filter{Name: "mine", Enabled: true, Destinations: []int64{sse},
		Conditions: []rules.Condition{{Field: rules.FieldUser, Values: []string{rules.Me}}}})
	require.NoError(t, err)
	msg := involving("alice")
	require.Eventually(t, func() bool {
		for _, w := range workers {
			if len(matches(w.current(), msg)["alice"]) != 1 {
				return false
			}
		}
		return true
	}, time.Second, 5*time.Millisecond, "the new filter matches on both workers")
	for _, w := range workers {
		require.Positive(t, testutil.ToFloat64(w.m.reloads.WithLabelValues("patch")), "the user was patched in, not reloaded")
	}

	_, err = b.store.CreateFilter(ctx, alice, rules.Filter{Name: "my groups", Enabled: true, Destinations: []int64{sse},
		Conditions: []rules.Condition{{Field: rules.FieldOwned, Values: []string{rules.MyGroups}}}})
	require.NoError(t, err)
	kernelMsg := &message.Message{ID: "k", Topic: "org.fedoraproject.prod.buildsys.build.state.change", App: "buildsys", Severity: 20,
		Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}}}
	require.NoError(t, b.store.ApplyOwnership(ctx,
		[]prefs.OwnershipChange{{Artifact: kernelMsg.Artifacts[0], OwnerKind: prefs.OwnerGroup, Owner: "kernel-maint"}}, nil))
	require.NoError(t, b.store.ApplyOwnership(ctx, nil, []prefs.MembershipChange{{Group: "kernel-maint", User: "alice"}}))
	require.Eventually(t, func() bool {
		for _, w := range workers {
			if len(matches(w.current(), kernelMsg)["alice"]) != 1 {
				return false
			}
		}
		return true
	}, time.Second, 5*time.Millisecond, "the group's artifact matches for its new member on both workers")

	require.NoError(t, b.store.ApplyOwnership(ctx, nil, []prefs.MembershipChange{{Group: "kernel-maint", User: "alice", Remove: true}}))
	require.Eventually(t, func() bool {
		for _, w := range workers {
			if len(matches(w.current(), kernelMsg)["alice"]) != 0 {
				return false
			}
		}
		return true
	}, time.Second, 5*time.Millisecond, "and stops matching when she leaves")
}

// Dropping the workers' broker connections while 100 changes are made leaves every worker, once
// reconnected, with exactly the database's state.
func TestNoChangeIsMissedAcrossReconnects(t *testing.T) {
	url, closeAll := rabbittest.CloseAllConnections(t)
	b := setupPrefs(t, url)
	ctx := context.Background()
	workers := []*snapshots{b.startWorker(), b.startWorker()}

	const users = 20
	type acct struct {
		u   prefs.User
		sse int64
	}
	accts := make([]acct, users)
	names := make([]string, users)
	for i := range accts {
		names[i] = fmt.Sprintf("user%02d", i)
		accts[i].u, accts[i].sse = b.user(names[i])
	}
	change := func(i int) {
		a := accts[i%users]
		var err error
		switch i % 4 {
		case 0, 1:
			_, err = b.store.CreateFilter(ctx, a.u, rules.Filter{Name: fmt.Sprintf("f%d", i), Enabled: true, Destinations: []int64{a.sse},
				Conditions: []rules.Condition{{Field: rules.FieldUser, Values: []string{rules.Me}}}})
		case 2:
			off := i%8 == 2
			err = b.store.UpdateDestination(ctx, a.u, a.sse, prefs.DestinationUpdate{Enabled: &off})
		case 3:
			var fs []rules.Filter
			fs, err = b.store.Filters(ctx, a.u)
			if err == nil && len(fs) > 0 {
				err = b.store.DeleteFilter(ctx, a.u, fs[0].ID)
			}
		}
		require.NoError(t, err)
	}
	// Changes go on while the connections are down and coming back: those published before a
	// worker's queue exists again reach no one, and the worker must still end up with them.
	for i := range 100 {
		if i == 30 || i == 70 {
			closeAll()
		}
		change(i)
	}

	probe := involving(names...)
	want, version := b.expected(probe)
	require.NotEmpty(t, want)
	require.Eventually(t, func() bool {
		for _, w := range workers {
			st := w.current()
			got := matches(st, probe)
			for _, ds := range got {
				slices.Sort(ds)
			}
			for _, ds := range want {
				slices.Sort(ds)
			}
			if st.version < version || fmt.Sprint(got) != fmt.Sprint(want) {
				return false
			}
		}
		return true
	}, 30*time.Second, 20*time.Millisecond, "every worker ends with the database's state")
}

// Past maxOverlayUsers patched users the worker reloads everything in the background while
// patches go on, and still ends with exactly the database's state.
func TestBackgroundReloadKeepsEveryPatch(t *testing.T) {
	t.Parallel()
	b := setupPrefs(t, rabbittest.URL(t))
	w := b.startWorker()
	n := maxOverlayUsers + 40
	names := b.usersWithOwnFilter("u", n)
	probe := involving(names...)
	want, version := b.expected(probe)
	require.Len(t, want, n)
	require.Eventually(t, func() bool {
		st := w.current()
		return st.version >= version && fmt.Sprint(matches(st, probe)) == fmt.Sprint(want)
	}, 30*time.Second, 20*time.Millisecond, "every user's filter matches")
	// Patches only ever add overlay users, so fewer than maxOverlayUsers with all n users' filters
	// in force means a background reload replaced the pile. How many full reloads that took depends
	// on how the changes fell around the builds (a loaded machine makes builds slower), so only
	// "one more than the start's" is certain.
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(w.m.reloads.WithLabelValues("full")) >= 2 && w.current().matcher.OverlayUsers() < maxOverlayUsers
	}, 30*time.Second, 20*time.Millisecond, "a background reload replaced the pile of patches")
	require.Equal(t, fmt.Sprint(want), fmt.Sprint(matches(w.current(), probe)), "and lost none of them")
}

// gatedLoader holds every Snapshot call until release is closed: a build as slow as a loaded
// machine can make it.
type gatedLoader struct {
	loader
	started chan struct{} // closed when the first Snapshot call begins
	release chan struct{}
	once    sync.Once
}

func (g *gatedLoader) Snapshot(ctx context.Context) (*prefs.Snapshot, error) {
	g.once.Do(func() { close(g.started) })
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.loader.Snapshot(ctx)
}

// More than maxOverlayUsers users patched while a full reload is being built are patched again
// onto the fresh state; that pile is compacted by another build right away, not left until some
// later change happens to ask for one (the loaded-machine failure of
// TestBackgroundReloadKeepsEveryPatch: the worker kept 340 patched users for good).
func TestPatchesPiledUpDuringABuildAreCompacted(t *testing.T) {
	t.Parallel()
	b := setupPrefs(t, rabbittest.URL(t))
	ctx := context.Background()
	snaps := newSnapshots(b.store, b.logger, time.Now, newMetrics(prometheus.NewRegistry()))
	require.NoError(t, snaps.reload(ctx))
	gate := &gatedLoader{loader: b.store, started: make(chan struct{}), release: make(chan struct{})}
	snaps.load = gate
	b.run(snaps.run)

	n := maxOverlayUsers + 10
	names := b.usersWithOwnFilter("p", n)
	snaps.reloadAll()
	select {
	case <-gate.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the reload never started")
	}
	var version int64
	for i, name := range names {
		version = int64(i + 1)
		snaps.patch(name, version)
	}
	probe := involving(names...)
	want, _ := b.expected(probe)
	require.Len(t, want, n)
	require.Eventually(t, func() bool {
		return fmt.Sprint(matches(snaps.current(), probe)) == fmt.Sprint(want)
	}, 30*time.Second, 20*time.Millisecond, "the users are patched in while the build waits")
	require.Greater(t, snaps.current().matcher.OverlayUsers(), maxOverlayUsers)
	close(gate.release)
	require.Eventually(t, func() bool {
		return testutil.ToFloat64(snaps.m.reloads.WithLabelValues("full")) >= 3 && snaps.current().matcher.OverlayUsers() == 0
	}, 30*time.Second, 20*time.Millisecond, "the gated build, then one that compacts what was patched during it")
	require.Equal(t, fmt.Sprint(want), fmt.Sprint(matches(snaps.current(), probe)), "and nothing is lost")
}
