package ledger_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/ledger"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/wire"
)

func notification(msg, user string, dest int64) wire.Notification {
	return wire.Notification{ID: wire.NotificationID(msg, user, dest), MessageID: msg, User: user,
		Destination: wire.Destination{ID: dest, Kind: "email", Address: user + "@example.org"}}
}

func TestSentIsFinalAndFailuresAreNotSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := ledger.New(pgtest.Pool(t))
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sent := notification("m1", "alice", 1)
	dead := notification("m1", "bob", 2)
	fresh := notification("m2", "alice", 1)

	got, err := l.Sent(ctx, []string{sent.ID, dead.ID, fresh.ID})
	require.NoError(t, err)
	require.Empty(t, got, "an empty ledger has sent nothing")

	require.NoError(t, l.Record(ctx,
		ledger.EntryFor(sent, "email", ledger.StatusSent, 2, "", at),
		ledger.EntryFor(dead, "email", ledger.StatusDead, 4, "451 try\r\nlater", at)))
	got, err = l.Sent(ctx, []string{sent.ID, dead.ID, fresh.ID})
	require.NoError(t, err)
	require.Equal(t, map[string]bool{sent.ID: true}, got, "only sent rows count: a re-driven dead letter is tried again")

	e, err := l.Get(ctx, dead.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.Entry{NotificationID: dead.ID, MessageID: "m1", User: "bob", DestinationID: 2, Channel: "email",
		Status: ledger.StatusDead, Attempts: 4, LastError: "451 try  later", At: at}, e.WithUTC())

	// A failure reported after the send (a duplicate that lost a race) does not overwrite sent.
	require.NoError(t, l.Record(ctx, ledger.EntryFor(sent, "email", ledger.StatusFailedPermanent, 1, "550", at.Add(time.Minute))))
	e, err = l.Get(ctx, sent.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusSent, e.Status)
	require.Equal(t, at, e.At.UTC())

	// A re-driven dead letter that gets through becomes sent.
	require.NoError(t, l.Record(ctx, ledger.EntryFor(dead, "email", ledger.StatusSent, 1, "", at.Add(time.Hour))))
	e, err = l.Get(ctx, dead.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusSent, e.Status)
	require.Empty(t, e.LastError)

	_, err = l.Get(ctx, fresh.ID)
	require.ErrorIs(t, err, ledger.ErrNotFound)
}

func TestShortError(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", ledger.MaxErrorLen) // two bytes each
	got := ledger.ShortError(long)
	require.LessOrEqual(t, len(got), ledger.MaxErrorLen)
	require.Equal(t, strings.Repeat("é", ledger.MaxErrorLen/2), got, "cut on a rune boundary")
	require.Equal(t, "a b", ledger.ShortError("a\nb"))
}
