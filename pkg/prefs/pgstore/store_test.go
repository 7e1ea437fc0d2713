package pgstore_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/pgtest"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

type testBundle struct {
	pool  *pgxpool.Pool
	store *pgstore.Store
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	pool := pgtest.Pool(t)
	return &testBundle{pool: pool, store: pgstore.New(pool, pgstore.WithDefaultFilters(nil))}
}

func aboutMe(dest int64) rules.Filter {
	return rules.Filter{Name: "about me", Enabled: true, Destinations: []int64{dest},
		Conditions: []rules.Condition{{Field: rules.FieldUser, Op: rules.OpIn, Values: []string{rules.Me}}}}
}

func sseOf(t *testing.T, b *testBundle, u prefs.User) prefs.Destination {
	t.Helper()
	ds, err := b.store.Destinations(context.Background(), u)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Equal(t, prefs.KindSSE, ds[0].Kind)
	require.True(t, ds[0].Deliverable(), "the SSE stream needs no confirmation")
	return ds[0]
}

func TestUsersAndConflicts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, err := b.store.CreateUser(ctx, "alice", "alice@example.org")
	require.NoError(t, err)
	sseOf(t, b, u)
	_, err = b.store.CreateUser(ctx, "alice", "")
	require.ErrorIs(t, err, prefs.ErrConflict)
	_, err = b.store.CreateUser(ctx, "-bad name", "")
	var inv *prefs.InvalidError
	require.True(t, errors.As(err, &inv), "got %v", err)
	_, err = b.store.UserByName(ctx, "nobody")
	require.ErrorIs(t, err, prefs.ErrNotFound)
}

// Every operation is scoped to its user: nothing of bob's can be used, seen or changed through alice.
func TestEverythingIsScopedToItsUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	alice, err := b.store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	bob, err := b.store.CreateUser(ctx, "bob", "")
	require.NoError(t, err)
	bobSSE := sseOf(t, b, bob)
	bobMail, err := b.store.CreateDestination(ctx, bob, prefs.Destination{Kind: prefs.KindEmail, Address: "bob@example.org"})
	require.NoError(t, err)
	require.False(t, bobMail.Confirmed, "email starts unconfirmed")

	_, err = b.store.CreateFilter(ctx, alice, aboutMe(bobSSE.ID))
	var inv *prefs.InvalidError
	require.True(t, errors.As(err, &inv), "alice cannot send to bob's destination: %v", err)
	fs, err := b.store.Filters(ctx, alice)
	require.NoError(t, err)
	require.Empty(t, fs, "the refused filter left nothing behind")

	require.ErrorIs(t, b.store.ConfirmDestination(ctx, alice, bobMail.ID), prefs.ErrNotFound)
	ds, err := b.store.Destinations(ctx, alice)
	require.NoError(t, err)
	require.Len(t, ds, 1, "alice sees only her own destinations")

	_, err = b.store.CreateFilter(ctx, bob, aboutMe(bobSSE.ID))
	require.NoError(t, err)
	fs, err = b.store.Filters(ctx, alice)
	require.NoError(t, err)
	require.Empty(t, fs, "alice does not see bob's filter")
}

func TestInvalidInputIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, err := b.store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	for name, d := range map[string]prefs.Destination{
		"bad kind":           {Kind: "pigeon", Address: "x"},
		"header injection":   {Kind: prefs.KindEmail, Address: "a@example.org\r\nBcc: evil@example.org"},
		"display name":       {Kind: prefs.KindEmail, Address: "Alice <a@example.org>"},
		"nick with space":    {Kind: prefs.KindIRC, Address: "al ice"},
		"bad format":         {Kind: prefs.KindIRC, Address: "alice", Format: "huge"},
		"negative digest":    {Kind: prefs.KindIRC, Address: "alice", DigestMaxCount: -1},
		"nick with newlines": {Kind: prefs.KindIRC, Address: "alice\r\nQUIT"},
	} {
		_, err := b.store.CreateDestination(ctx, u, d)
		var inv *prefs.InvalidError
		require.True(t, errors.As(err, &inv), "%s: %v", name, err)
	}
	f := aboutMe(sseOf(t, b, u).ID)
	f.Conditions = []rules.Condition{{Field: "colour", Values: []string{"red"}}}
	_, err = b.store.CreateFilter(ctx, u, f)
	var ve *rules.ValidationError
	require.True(t, errors.As(err, &ve), "an unknown field is refused by validation: %v", err)
}

// Snapshots hold enabled filters and deliverable destinations, at the version of the last write.
func TestSnapshot(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, err := b.store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	sse := sseOf(t, b, u)
	mail, err := b.store.CreateDestination(ctx, u, prefs.Destination{Kind: prefs.KindEmail, Address: "a@example.org"})
	require.NoError(t, err)
	f1, err := b.store.CreateFilter(ctx, u, aboutMe(sse.ID))
	require.NoError(t, err)
	off := aboutMe(mail.ID)
	off.Enabled = false
	_, err = b.store.CreateFilter(ctx, u, off)
	require.NoError(t, err)

	snap, err := b.store.Snapshot(ctx)
	require.NoError(t, err)
	v, err := b.store.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, v, snap.Version)
	require.Len(t, snap.Rules.Filters, 1)
	require.Equal(t, f1.ID, snap.Rules.Filters[0].ID)
	require.Equal(t, "alice", snap.Rules.Filters[0].User)
	require.Contains(t, snap.Destinations, sse.ID)
	require.NotContains(t, snap.Destinations, mail.ID, "unconfirmed")

	require.NoError(t, b.store.ConfirmDestination(ctx, u, mail.ID))
	snap2, err := b.store.Snapshot(ctx)
	require.NoError(t, err)
	require.Contains(t, snap2.Destinations, mail.ID)
	require.Greater(t, snap2.Version, snap.Version, "every write moves the version")
}

// The relay publishes every outbox row once, in order, and empties the outbox, with two relays
// competing for the lock.
func TestRelayPublishesTheOutbox(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var got []prefs.Change
	publish := func(_ context.Context, cs []prefs.Change) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, cs...)
		return nil
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var wg sync.WaitGroup
	for range 2 {
		r := pgstore.NewRelay(b.pool, publish, logger, 50*time.Millisecond)
		wg.Go(func() { require.NoError(t, r.Run(ctx)) })
	}
	for _, name := range []string{"u1", "u2", "u3"} {
		_, err := b.store.CreateUser(ctx, name, "")
		require.NoError(t, err)
	}
	// Done when all three are published and the outbox is empty: a relay deletes the rows it
	// published right after, in its own transaction, which cancelling in between would undo.
	outboxLeft := func() int {
		var left int
		require.NoError(t, b.pool.QueryRow(context.Background(), "SELECT count(*) FROM prefs_outbox").Scan(&left))
		return left
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		return n >= 3 && outboxLeft() == 0
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	wg.Wait()
	require.Len(t, got, 3, "each change published once")
	require.Equal(t, []string{"u1", "u2", "u3"}, []string{got[0].User, got[1].User, got[2].User})
	require.Less(t, got[0].Version, got[1].Version)
}

func TestNewUsersGetTheDefaultFilters(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	store := pgstore.New(pool)
	ctx := context.Background()
	u, err := store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	fs, err := store.Filters(ctx, u)
	require.NoError(t, err)
	require.Len(t, fs, len(prefs.DefaultFilters()))
	ds, err := store.Destinations(ctx, u)
	require.NoError(t, err)
	for i, f := range fs {
		require.Equal(t, prefs.DefaultFilters()[i].Name, f.Name)
		require.Equal(t, []int64{ds[0].ID}, f.Destinations, "defaults send to the SSE stream")
		require.NoError(t, f.Validate())
	}
}

func TestEditFiltersAndDestinations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, err := b.store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	other, err := b.store.CreateUser(ctx, "bob", "")
	require.NoError(t, err)
	sse := sseOf(t, b, u)
	f, err := b.store.CreateFilter(ctx, u, aboutMe(sse.ID))
	require.NoError(t, err)

	f.Name = "renamed"
	f.Conditions = append(f.Conditions, rules.Condition{Field: rules.FieldApp, Op: rules.OpIn, Values: []string{"bodhi"}})
	_, err = b.store.UpdateFilter(ctx, u, f)
	require.NoError(t, err)
	got, err := b.store.Filter(ctx, u, f.ID)
	require.NoError(t, err)
	require.Equal(t, "renamed", got.Name)
	require.Len(t, got.Conditions, 2)
	_, err = b.store.UpdateFilter(ctx, other, f)
	require.ErrorIs(t, err, prefs.ErrNotFound, "bob cannot change alice's filter")
	_, err = b.store.Filter(ctx, other, f.ID)
	require.ErrorIs(t, err, prefs.ErrNotFound, "nor read it")

	require.NoError(t, b.store.SetFilterEnabled(ctx, u, f.ID, false))
	up, _, err := b.store.UserPrefs(ctx, "alice")
	require.NoError(t, err)
	require.True(t, up.Exists)
	require.Empty(t, up.Filters, "a disabled filter is not matched")

	off := false
	require.NoError(t, b.store.UpdateDestination(ctx, u, sse.ID, prefs.DestinationUpdate{Enabled: &off}))
	up, _, err = b.store.UserPrefs(ctx, "alice")
	require.NoError(t, err)
	require.Empty(t, up.Destinations, "a disabled destination receives nothing")
	require.ErrorIs(t, b.store.UpdateDestination(ctx, other, sse.ID, prefs.DestinationUpdate{Enabled: &off}), prefs.ErrNotFound)
	require.ErrorIs(t, b.store.DeleteFilter(ctx, other, f.ID), prefs.ErrNotFound)
	require.NoError(t, b.store.DeleteFilter(ctx, u, f.ID))
	require.ErrorIs(t, b.store.DeleteFilter(ctx, u, f.ID), prefs.ErrNotFound)
	require.NoError(t, b.store.DeleteDestination(ctx, u, sse.ID))

	up, _, err = b.store.UserPrefs(ctx, "nobody")
	require.NoError(t, err)
	require.False(t, up.Exists)
}

func TestOwnershipAndMemberships(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	kernel := message.Artifact{Type: message.ArtifactRPM, Name: "kernel"}
	v0, err := b.store.Version(ctx)
	require.NoError(t, err)
	require.NoError(t, b.store.ApplyOwnership(ctx,
		[]prefs.OwnershipChange{{Artifact: kernel, OwnerKind: prefs.OwnerUser, Owner: "jforbes"}, {Artifact: kernel, OwnerKind: prefs.OwnerGroup, Owner: "kernel-maint"}},
		[]prefs.MembershipChange{{Group: "kernel-maint", User: "alice"}, {Group: "kernel-maint", User: "bob"}}))
	require.NoError(t, b.store.ApplyOwnership(ctx, nil, []prefs.MembershipChange{{Group: "kernel-maint", User: "bob", Remove: true}}))
	snap, err := b.store.Snapshot(ctx)
	require.NoError(t, err)
	require.Greater(t, snap.Version, v0)
	require.ElementsMatch(t, []rules.Ownership{{Artifact: kernel, User: "jforbes"}, {Artifact: kernel, Group: "kernel-maint"}}, snap.Rules.Ownership)
	require.Equal(t, []rules.Membership{{Group: "kernel-maint", User: "alice"}}, snap.Rules.Memberships)

	require.NoError(t, b.store.ReplaceArtifactOwners(ctx, map[message.Artifact][]prefs.OwnershipChange{
		kernel: {{OwnerKind: prefs.OwnerUser, Owner: "jwboyer"}},
	}))
	snap, err = b.store.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, []rules.Ownership{{Artifact: kernel, User: "jwboyer"}}, snap.Rules.Ownership)

	var inv *prefs.InvalidError
	err = b.store.ApplyOwnership(ctx, []prefs.OwnershipChange{{Artifact: message.Artifact{Type: "tarballs", Name: "x"}, OwnerKind: prefs.OwnerUser, Owner: "a"}}, nil)
	require.True(t, errors.As(err, &inv), "unknown artifact type: %v", err)
}

// Disabling filters touches only the user's own, enabled ones, and tells the workers.
func TestDisableFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	alice, err := b.store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	bob, err := b.store.CreateUser(ctx, "bob", "")
	require.NoError(t, err)
	af, err := b.store.CreateFilter(ctx, alice, aboutMe(sseOf(t, b, alice).ID))
	require.NoError(t, err)
	bf, err := b.store.CreateFilter(ctx, bob, aboutMe(sseOf(t, b, bob).ID))
	require.NoError(t, err)
	before, err := b.store.Version(ctx)
	require.NoError(t, err)

	n, err := b.store.DisableFilters(ctx, alice, []int64{af.ID, bf.ID})
	require.NoError(t, err)
	require.Equal(t, 1, n, "bob's filter is not alice's to disable")
	after, err := b.store.Version(ctx)
	require.NoError(t, err)
	require.Greater(t, after, before, "workers learn of the change")

	fs, err := b.store.Filters(ctx, alice)
	require.NoError(t, err)
	require.False(t, fs[0].Enabled)
	fs, err = b.store.Filters(ctx, bob)
	require.NoError(t, err)
	require.True(t, fs[0].Enabled)

	n, err = b.store.DisableFilters(ctx, alice, []int64{af.ID})
	require.NoError(t, err)
	require.Zero(t, n, "repeating changes nothing")
	again, err := b.store.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, after, again)
}
