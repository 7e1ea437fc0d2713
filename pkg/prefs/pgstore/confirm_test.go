package pgstore_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/pgtest"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type confirmBundle struct {
	*testBundle
	clock *testClock
	alice prefs.User
	bob   prefs.User
}

func setupConfirm(t *testing.T) *confirmBundle {
	t.Helper()
	pool := pgtest.Pool(t)
	clock := &testClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	b := &confirmBundle{
		testBundle: &testBundle{pool: pool, store: pgstore.New(pool, pgstore.WithDefaultFilters(nil), pgstore.WithClock(clock.now))},
		clock:      clock,
	}
	var err error
	b.alice, err = b.store.CreateUser(context.Background(), "alice", "")
	require.NoError(t, err)
	b.bob, err = b.store.CreateUser(context.Background(), "bob", "")
	require.NoError(t, err)
	return b
}

func (b *confirmBundle) dest(t *testing.T, u prefs.User, kind, address string) prefs.Destination {
	t.Helper()
	d, err := b.store.CreateDestination(context.Background(), u, prefs.Destination{Kind: kind, Address: address})
	require.NoError(t, err)
	return d
}

func (b *confirmBundle) confirmed(t *testing.T, u prefs.User, id int64) bool {
	t.Helper()
	ds, err := b.store.Destinations(context.Background(), u)
	require.NoError(t, err)
	for _, d := range ds {
		if d.ID == id {
			return d.Confirmed
		}
	}
	t.Fatalf("destination %d not found", id)
	return false
}

func (b *confirmBundle) sseID(t *testing.T, u prefs.User) int64 {
	t.Helper()
	ds, err := b.store.Destinations(context.Background(), u)
	require.NoError(t, err)
	for _, d := range ds {
		if d.Kind == prefs.KindSSE {
			return d.ID
		}
	}
	t.Fatal("no SSE destination")
	return 0
}

func (b *confirmBundle) version(t *testing.T) int64 {
	t.Helper()
	v, err := b.store.Version(context.Background())
	require.NoError(t, err)
	return v
}

func TestBeginConfirmationIssuesSecretsAndCodesAndStoresOnlyHashes(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	mail := b.dest(t, b.alice, prefs.KindEmail, "alice@example.org")
	nick := b.dest(t, b.alice, prefs.KindIRC, "Alice")

	c, err := b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.NoError(t, err)
	require.Len(t, c.Secret, 43, "32 bytes, base64url")
	require.NotContains(t, c.Secret, "=")
	require.Empty(t, c.Code)
	require.Equal(t, prefs.KindEmail, c.Kind)
	require.Equal(t, "alice@example.org", c.Address)
	require.Equal(t, b.clock.now().Add(prefs.EmailConfirmationTTL), c.ExpiresAt)

	ic, err := b.store.BeginConfirmation(ctx, b.alice, nick.ID)
	require.NoError(t, err)
	require.Empty(t, ic.Secret)
	require.Len(t, ic.Code, prefs.ConfirmationCodeLen)
	for _, r := range ic.Code {
		require.True(t, strings.ContainsRune(prefs.ConfirmationCodeAlphabet, r), "code %q", ic.Code)
	}
	require.Equal(t, b.clock.now().Add(prefs.IRCConfirmationTTL), ic.ExpiresAt)

	// Only hashes are stored.
	var stored [][]byte
	rows, err := b.pool.Query(ctx, `SELECT secret_hash FROM destination_confirmations ORDER BY destination_id`)
	require.NoError(t, err)
	for rows.Next() {
		var h []byte
		require.NoError(t, rows.Scan(&h))
		stored = append(stored, h)
	}
	require.NoError(t, rows.Err())
	ms, cs := sha256.Sum256([]byte(c.Secret)), sha256.Sum256([]byte(ic.Code))
	require.Equal(t, [][]byte{ms[:], cs[:]}, stored)

	// Refusals.
	_, err = b.store.BeginConfirmation(ctx, b.alice, b.sseID(t, b.alice))
	require.ErrorIs(t, err, prefs.ErrNothingToConfirm, "the SSE stream needs no confirmation")
	_, err = b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.ErrorIs(t, err, prefs.ErrConfirmationTooSoon, "a resend within a minute")
	_, err = b.store.BeginConfirmation(ctx, b.bob, mail.ID)
	require.ErrorIs(t, err, prefs.ErrNotFound, "bob cannot begin alice's confirmation")
	require.NoError(t, b.store.ConfirmDestination(ctx, b.alice, mail.ID))
	b.clock.advance(prefs.ConfirmationResendInterval)
	_, err = b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.ErrorIs(t, err, prefs.ErrAlreadyConfirmed)
	require.True(t, prefs.IsConfirmationError(err))
}

func TestConfirmBySecret(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	mail := b.dest(t, b.alice, prefs.KindEmail, "alice@example.org")
	c, err := b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.NoError(t, err)

	// Nonsense and near misses confirm nothing.
	for _, s := range []string{"", "x", strings.ToUpper(c.Secret), c.Secret[1:], strings.Repeat("a", 1000)} {
		_, _, err := b.store.ConfirmBySecret(ctx, s)
		require.ErrorIs(t, err, prefs.ErrConfirmationInvalid, "secret %q", s)
	}
	require.False(t, b.confirmed(t, b.alice, mail.ID))

	before := b.version(t)
	u, d, err := b.store.ConfirmBySecret(ctx, c.Secret)
	require.NoError(t, err)
	require.Equal(t, b.alice.ID, u.ID)
	require.Equal(t, "alice", u.Name)
	require.Equal(t, mail.ID, d.ID)
	require.True(t, d.Confirmed)
	require.True(t, b.confirmed(t, b.alice, mail.ID))
	require.Greater(t, b.version(t), before, "workers are told (outbox)")

	// Single use: a replay is refused.
	_, _, err = b.store.ConfirmBySecret(ctx, c.Secret)
	require.ErrorIs(t, err, prefs.ErrConfirmationInvalid)
}

func TestConfirmBySecretExpiresAndIsReplacedByANewOne(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	mail := b.dest(t, b.alice, prefs.KindEmail, "alice@example.org")
	old, err := b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.NoError(t, err)

	b.clock.advance(prefs.EmailConfirmationTTL)
	_, _, err = b.store.ConfirmBySecret(ctx, old.Secret)
	require.ErrorIs(t, err, prefs.ErrConfirmationExpired, "the link works 24 hours, not a moment more")
	require.False(t, b.confirmed(t, b.alice, mail.ID))

	fresh, err := b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.NoError(t, err)
	require.NotEqual(t, old.Secret, fresh.Secret)
	_, _, err = b.store.ConfirmBySecret(ctx, old.Secret)
	require.ErrorIs(t, err, prefs.ErrConfirmationInvalid, "the new confirmation replaced the old one")
	b.clock.advance(prefs.EmailConfirmationTTL - time.Second)
	_, _, err = b.store.ConfirmBySecret(ctx, fresh.Secret)
	require.NoError(t, err)
}

func TestConfirmBySecretIsOnlyForEmail(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	nick := b.dest(t, b.alice, prefs.KindIRC, "alice")
	c, err := b.store.BeginConfirmation(ctx, b.alice, nick.ID)
	require.NoError(t, err)
	_, _, err = b.store.ConfirmBySecret(ctx, c.Code)
	require.ErrorIs(t, err, prefs.ErrConfirmationInvalid, "an IRC code is no link secret")
	require.False(t, b.confirmed(t, b.alice, nick.ID))
}

func TestConfirmByCodeLocksOutAfterWrongCodes(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	nick := b.dest(t, b.alice, prefs.KindIRC, "alice")
	c, err := b.store.BeginConfirmation(ctx, b.alice, nick.ID)
	require.NoError(t, err)

	for i := 1; i < prefs.MaxConfirmationAttempts; i++ {
		require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, nick.ID, "WRONGCOD"), prefs.ErrConfirmationWrongCode, "attempt %d", i)
	}
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, nick.ID, "WRONGCOD"), prefs.ErrConfirmationTooMany, "the last allowed attempt")
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, nick.ID, c.Code), prefs.ErrConfirmationTooMany, "even the right code, now")
	require.False(t, b.confirmed(t, b.alice, nick.ID))

	// A new code starts over; it may be typed in lower case with a dash.
	b.clock.advance(prefs.ConfirmationResendInterval)
	c, err = b.store.BeginConfirmation(ctx, b.alice, nick.ID)
	require.NoError(t, err)
	typed := " " + strings.ToLower(c.Code[:4]) + "-" + c.Code[4:] + " "
	require.NoError(t, b.store.ConfirmByCode(ctx, b.alice, nick.ID, typed))
	require.True(t, b.confirmed(t, b.alice, nick.ID))
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, nick.ID, c.Code), prefs.ErrAlreadyConfirmed)
}

func TestConfirmByCodeRefusals(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	aNick := b.dest(t, b.alice, prefs.KindIRC, "alice")
	bNick := b.dest(t, b.bob, prefs.KindIRC, "bob")
	bc, err := b.store.BeginConfirmation(ctx, b.bob, bNick.ID)
	require.NoError(t, err)

	// Alice cannot confirm bob's destination, even with bob's code.
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, bNick.ID, bc.Code), prefs.ErrNotFound)
	require.False(t, b.confirmed(t, b.bob, bNick.ID))
	// Nor her own with bob's code (and nothing is pending for hers).
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, aNick.ID, bc.Code), prefs.ErrNoConfirmation)
	// The SSE stream needs none.
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, b.sseID(t, b.alice), "X"), prefs.ErrNothingToConfirm)
	// Codes expire after an hour.
	b.clock.advance(prefs.IRCConfirmationTTL)
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.bob, bNick.ID, bc.Code), prefs.ErrConfirmationExpired)
	require.False(t, b.confirmed(t, b.bob, bNick.ID))
}

func TestConfirmByCodeConfirmsEmailWithItsSecret(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	mail := b.dest(t, b.alice, prefs.KindEmail, "alice@example.org")
	c, err := b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.NoError(t, err)
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, mail.ID, strings.ToUpper(c.Secret)), prefs.ErrConfirmationWrongCode,
		"secrets are case-sensitive")
	require.NoError(t, b.store.ConfirmByCode(ctx, b.alice, mail.ID, c.Secret))
	require.True(t, b.confirmed(t, b.alice, mail.ID))
}

func TestConfirmIRCByCode(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	// Alice and bob both added the nick "Nick".
	aNick := b.dest(t, b.alice, prefs.KindIRC, "Nick")
	bNick := b.dest(t, b.bob, prefs.KindIRC, "nick")
	ac, err := b.store.BeginConfirmation(ctx, b.alice, aNick.ID)
	require.NoError(t, err)
	bc, err := b.store.BeginConfirmation(ctx, b.bob, bNick.ID)
	require.NoError(t, err)

	_, err = b.store.ConfirmIRCByCode(ctx, "someone", ac.Code)
	require.ErrorIs(t, err, prefs.ErrConfirmationNoneForNick)
	_, err = b.store.ConfirmIRCByCode(ctx, "NICK", "WRONGCOD")
	require.ErrorIs(t, err, prefs.ErrConfirmationWrongCode)

	// Bob's code, from whoever holds the nick (any case), confirms bob's destination only.
	before := b.version(t)
	u, err := b.store.ConfirmIRCByCode(ctx, "NICK", strings.ToLower(bc.Code))
	require.NoError(t, err)
	require.Equal(t, "bob", u.Name)
	require.True(t, b.confirmed(t, b.bob, bNick.ID))
	require.False(t, b.confirmed(t, b.alice, aNick.ID))
	require.Greater(t, b.version(t), before, "workers are told (outbox)")
	// A used code is gone.
	_, err = b.store.ConfirmIRCByCode(ctx, "nick", bc.Code)
	require.ErrorIs(t, err, prefs.ErrConfirmationWrongCode, "alice's confirmation is still pending; bob's code is not hers")

	// Wrong codes lock alice's confirmation out (the earlier two counted already).
	for i := 2; i < prefs.MaxConfirmationAttempts; i++ {
		_, err = b.store.ConfirmIRCByCode(ctx, "nick", "WRONGCOD")
		require.Error(t, err)
	}
	_, err = b.store.ConfirmIRCByCode(ctx, "nick", ac.Code)
	require.ErrorIs(t, err, prefs.ErrConfirmationTooMany)
	require.False(t, b.confirmed(t, b.alice, aNick.ID))
}

func TestConfirmIRCByCodeExpires(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	nick := b.dest(t, b.alice, prefs.KindIRC, "alice")
	c, err := b.store.BeginConfirmation(ctx, b.alice, nick.ID)
	require.NoError(t, err)
	b.clock.advance(prefs.IRCConfirmationTTL)
	_, err = b.store.ConfirmIRCByCode(ctx, "alice", c.Code)
	require.ErrorIs(t, err, prefs.ErrConfirmationExpired)
	require.False(t, b.confirmed(t, b.alice, nick.ID))
}

func TestDeletedDestinationLosesItsConfirmation(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	mail := b.dest(t, b.alice, prefs.KindEmail, "alice@example.org")
	c, err := b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.NoError(t, err)
	require.NoError(t, b.store.DeleteDestination(ctx, b.alice, mail.ID))
	again := b.dest(t, b.alice, prefs.KindEmail, "alice@example.org")
	_, _, err = b.store.ConfirmBySecret(ctx, c.Secret)
	require.ErrorIs(t, err, prefs.ErrConfirmationInvalid, "a secret of a deleted destination confirms no new one")
	require.False(t, b.confirmed(t, b.alice, again.ID))
}

// The store offers no way to change an address, but should one appear, a confirmation made for
// the old address confirms nothing.
func TestConfirmationIsForTheAddressItWasMadeFor(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := context.Background()
	mail := b.dest(t, b.alice, prefs.KindEmail, "alice@example.org")
	c, err := b.store.BeginConfirmation(ctx, b.alice, mail.ID)
	require.NoError(t, err)
	_, err = b.pool.Exec(ctx, `UPDATE destinations SET address = 'mallory@example.org' WHERE id = $1`, mail.ID)
	require.NoError(t, err)
	_, _, err = b.store.ConfirmBySecret(ctx, c.Secret)
	require.ErrorIs(t, err, prefs.ErrConfirmationInvalid)
	require.ErrorIs(t, b.store.ConfirmByCode(ctx, b.alice, mail.ID, c.Secret), prefs.ErrNoConfirmation)
	require.False(t, b.confirmed(t, b.alice, mail.ID))
}
