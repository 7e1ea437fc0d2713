package consumer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// addDestination gives user (created if need be) a destination of kind at address.
func (b *testBundle) addDestination(user, kind, address string, confirmed bool) {
	b.t.Helper()
	_, err := b.pool.Exec(context.Background(), `WITH u AS (
			INSERT INTO users (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id)
		INSERT INTO destinations (user_id, kind, address, confirmed) SELECT id, $2, $3, $4 FROM u`, user, kind, address, confirmed)
	require.NoError(b.t, err)
}

// The aliases are the confirmed e-mail addresses and IRC nicks, looked up without regard to
// case; unconfirmed ones and SSE destinations are not aliases.
func TestAliasesLoadConfirmedAddresses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addDestination("pat", "email", "Pat@Example.org", true)
	b.addDestination("pat", "irc", "patnick", true)
	b.addDestination("quinn", "email", "quinn@example.org", false)
	b.addDestination("rory", "sse", "rory", true)
	al := newAliases(b.pool, b.logger, 0)
	require.Equal(t, DefaultAliasRefresh, al.refresh, "the default refresh")

	_, ok := al.Account("pat@example.org")
	require.False(t, ok, "nothing before the first load")
	require.NoError(t, al.load(context.Background()))
	for _, k := range []string{"pat@example.org", "PAT@EXAMPLE.ORG", "PatNick"} {
		acct, ok := al.Account(k)
		require.True(t, ok, k)
		require.Equal(t, "pat", acct, k)
	}
	for _, k := range []string{"quinn@example.org", "rory", "nobody@example.org"} {
		_, ok := al.Account(k)
		require.False(t, ok, k)
	}

	// A failed read keeps the aliases it had.
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	require.Error(t, al.load(cancelled))
	_, ok = al.Account("pat@example.org")
	require.True(t, ok)
}

// The refresh picks up a newly confirmed address and drops a removed one.
func TestAliasesRefreshShowsChanges(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.addDestination("pat", "email", "pat@example.org", true)
	al := newAliases(b.pool, b.logger, 10*time.Millisecond)
	require.NoError(t, al.load(context.Background()))
	b.run(al.run)

	b.addDestination("sam", "email", "sam@example.org", true)
	require.Eventually(t, func() bool { acct, ok := al.Account("sam@example.org"); return ok && acct == "sam" },
		waitFor, 5*time.Millisecond, "a new address")
	_, err := b.pool.Exec(context.Background(), `DELETE FROM destinations WHERE address = 'pat@example.org'`)
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, ok := al.Account("pat@example.org"); return !ok }, waitFor, 5*time.Millisecond,
		"a removed address")
}
