package pgstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/prefs"
)

func TestSetIRCEnabled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	alice, err := b.store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	bob, err := b.store.CreateUser(ctx, "bob", "")
	require.NoError(t, err)
	aIRC, err := b.store.CreateDestination(ctx, alice, prefs.Destination{Kind: prefs.KindIRC, Address: "Alice"})
	require.NoError(t, err)
	bIRC, err := b.store.CreateDestination(ctx, bob, prefs.Destination{Kind: prefs.KindIRC, Address: "bob"})
	require.NoError(t, err)
	aMail, err := b.store.CreateDestination(ctx, alice, prefs.Destination{Kind: prefs.KindEmail, Address: "alice@example.org"})
	require.NoError(t, err)

	enabled := func(u prefs.User, id int64) bool {
		ds, err := b.store.Destinations(ctx, u)
		require.NoError(t, err)
		for _, d := range ds {
			if d.ID == id {
				return d.Enabled
			}
		}
		t.Fatalf("destination %d not found", id)
		return false
	}

	// "stop" from alice (any case) disables her IRC destination only.
	n, err := b.store.SetIRCEnabled(ctx, "alice", false)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.False(t, enabled(alice, aIRC.ID))
	require.True(t, enabled(alice, aMail.ID), "email is not an IRC destination")
	require.True(t, enabled(bob, bIRC.ID), "another nick is untouched")
	// Repeating it changes nothing.
	n, err = b.store.SetIRCEnabled(ctx, "ALICE", false)
	require.NoError(t, err)
	require.Zero(t, n)
	// "start" enables it again.
	n, err = b.store.SetIRCEnabled(ctx, "alice", true)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.True(t, enabled(alice, aIRC.ID))
}
