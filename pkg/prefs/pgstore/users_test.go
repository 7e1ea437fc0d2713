package pgstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/prefs"
)

// Deleting a user deletes everything that is theirs, tells workers in the same transaction, and
// leaves other users alone; a second delete finds nobody.
func TestDeleteUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	alice, err := b.store.CreateUser(ctx, "alice", "alice@example.org")
	require.NoError(t, err)
	bob, err := b.store.CreateUser(ctx, "bob", "")
	require.NoError(t, err)
	for _, u := range []prefs.User{alice, bob} {
		_, err = b.store.CreateFilter(ctx, u, aboutMe(sseOf(t, b, u).ID))
		require.NoError(t, err)
		mail, err := b.store.CreateDestination(ctx, u, prefs.Destination{Kind: prefs.KindEmail, Address: u.Name + "@example.org"})
		require.NoError(t, err)
		_, err = b.store.BeginConfirmation(ctx, u, mail.ID)
		require.NoError(t, err)
		_, _, err = b.store.CreateAPIToken(ctx, u, "script")
		require.NoError(t, err)
	}
	// owned counts the rows of each table that belong to u.
	owned := func(u prefs.User) map[string]int {
		out := map[string]int{}
		for table, q := range map[string]string{
			"users":                     `SELECT count(*) FROM users WHERE id = $1`,
			"destinations":              `SELECT count(*) FROM destinations WHERE user_id = $1`,
			"filters":                   `SELECT count(*) FROM filters WHERE user_id = $1`,
			"filter_destinations":       `SELECT count(*) FROM filter_destinations fd JOIN filters f ON f.id = fd.filter_id WHERE f.user_id = $1`,
			"destination_confirmations": `SELECT count(*) FROM destination_confirmations c JOIN destinations d ON d.id = c.destination_id WHERE d.user_id = $1`,
			"api_tokens":                `SELECT count(*) FROM api_tokens WHERE user_id = $1`,
		} {
			var n int
			require.NoError(t, b.pool.QueryRow(ctx, q, u.ID).Scan(&n), table)
			out[table] = n
		}
		return out
	}
	bobsBefore := owned(bob)
	for table, n := range bobsBefore {
		require.Positive(t, n, table)
	}
	v0, err := b.store.Version(ctx)
	require.NoError(t, err)

	require.NoError(t, b.store.DeleteUser(ctx, "alice"))
	for table, n := range owned(alice) {
		require.Zero(t, n, "%s of alice's are left", table)
	}
	require.Equal(t, bobsBefore, owned(bob), "bob's are untouched")
	_, err = b.store.UserByName(ctx, "alice")
	require.ErrorIs(t, err, prefs.ErrNotFound)

	v1, err := b.store.Version(ctx)
	require.NoError(t, err)
	require.Greater(t, v1, v0, "the deletion is a change workers hear of")
	var payload string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT payload::text FROM prefs_outbox WHERE id = $1`, v1).Scan(&payload))
	require.JSONEq(t, `{"user":"alice"}`, payload)
	up, _, err := b.store.UserPrefs(ctx, "alice")
	require.NoError(t, err)
	require.False(t, up.Exists, "a worker reloading alice finds her gone")

	require.ErrorIs(t, b.store.DeleteUser(ctx, "alice"), prefs.ErrNotFound)
	v2, err := b.store.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, v1, v2, "deleting nobody changes nothing")

	// The name is free again, for a new user with nothing of the old one's.
	again, err := b.store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	require.NotEqual(t, alice.ID, again.ID)
	tokens, err := b.store.APITokens(ctx, again)
	require.NoError(t, err)
	require.Empty(t, tokens)
}
