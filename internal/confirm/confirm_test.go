package confirm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/confirm"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/wire"
	"fmn/pkg/prefs"
)

var (
	alice = prefs.User{ID: 1, Name: "alice"}
	mail  = prefs.Destination{ID: 7, UserID: 1, Kind: prefs.KindEmail, Address: "alice@example.org", Format: prefs.FormatShort}
	nick  = prefs.Destination{ID: 8, UserID: 1, Kind: prefs.KindIRC, Address: "alice", Format: prefs.FormatShort}
	at    = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
)

func newSender(t *testing.T, pub confirm.Publisher, topo rabbit.Topology) *confirm.Sender {
	t.Helper()
	s, err := confirm.NewSender(pub, topo, "https://fmn.example.org/", func() time.Time { return at })
	require.NoError(t, err)
	return s
}

func TestNewSenderRefusesABadBaseURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "fmn.example.org", "javascript:alert(1)", "https://"} {
		_, err := confirm.NewSender(nil, rabbit.DefaultTopology(), u, nil)
		require.ErrorContains(t, err, "base url", "%q", u)
	}
}

func TestNotification(t *testing.T) {
	t.Parallel()
	s := newSender(t, nil, rabbit.DefaultTopology())
	c := prefs.Confirmation{DestinationID: 7, Kind: prefs.KindEmail, Address: "alice@example.org", Secret: "s3cr3t-_x"}
	n, err := s.Notification(alice, mail, c)
	require.NoError(t, err)
	require.True(t, n.IsConfirmation())
	require.Equal(t, "https://fmn.example.org/confirm/s3cr3t-_x", n.ConfirmURL)
	require.Empty(t, n.ConfirmCode)
	require.Equal(t, "alice", n.User)
	require.Equal(t, wire.Destination{ID: 7, Kind: "email", Address: "alice@example.org", Format: "short"}, n.Destination)
	require.False(t, n.Destination.Digest(), "never a digest")
	require.Equal(t, at, n.MatchedAt)
	require.True(t, strings.HasPrefix(n.MessageID, "confirm:"))
	require.Equal(t, wire.NotificationID(n.MessageID, "alice", 7), n.ID)

	// Each send is a new notification: the ledger does not take a resend for a duplicate.
	again, err := s.Notification(alice, mail, c)
	require.NoError(t, err)
	require.NotEqual(t, n.ID, again.ID)

	ic := prefs.Confirmation{DestinationID: 8, Kind: prefs.KindIRC, Address: "alice", Code: "ABCD2345"}
	n, err = s.Notification(alice, nick, ic)
	require.NoError(t, err)
	require.Equal(t, "ABCD2345", n.ConfirmCode)
	require.Empty(t, n.ConfirmURL)

	// Mismatches are refused.
	for name, tc := range map[string]struct {
		u prefs.User
		d prefs.Destination
		c prefs.Confirmation
	}{
		"another user's destination":             {prefs.User{ID: 2, Name: "bob"}, mail, c},
		"another destination's confirmation":     {alice, nick, c},
		"an email confirmation without a secret": {alice, mail, prefs.Confirmation{DestinationID: 7, Kind: prefs.KindEmail, Address: "alice@example.org", Code: "X"}},
		"an irc confirmation without a code":     {alice, nick, prefs.Confirmation{DestinationID: 8, Kind: prefs.KindIRC, Address: "alice"}},
	} {
		_, err := s.Notification(tc.u, tc.d, tc.c)
		require.Error(t, err, name)
	}
}

// Send publishes one notification batch to the destination's delivery queue, as a worker would.
func TestSendPublishesToTheChannelQueue(t *testing.T) {
	t.Parallel()
	url := rabbittest.URL(t)
	topo := rabbittest.Topology(t, url)
	conn, err := rabbit.Dial(rabbit.Config{URL: url, Setup: topo.Declare}, rabbit.Deps{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	pub := conn.NewPublisher()
	t.Cleanup(func() { _ = pub.Close() })
	s := newSender(t, pub, topo)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ic := prefs.Confirmation{DestinationID: 8, Kind: prefs.KindIRC, Address: "alice", Code: "ABCD2345"}
	require.NoError(t, s.Send(ctx, alice, nick, ic))

	ch, err := conn.Channel(ctx)
	require.NoError(t, err)
	defer ch.Close()
	var d amqp.Delivery
	require.Eventually(t, func() bool {
		var ok bool
		d, ok, err = ch.Get(topo.DeliverQueues[prefs.KindIRC], true)
		return err == nil && ok
	}, 30*time.Second, 10*time.Millisecond)
	require.Equal(t, wire.TypeNotifications, d.Type)
	nb, err := wire.DecodeNotifications(d.Body)
	require.NoError(t, err)
	require.Equal(t, "irc", nb.Channel)
	require.Len(t, nb.Notifications, 1)
	require.Equal(t, "ABCD2345", nb.Notifications[0].ConfirmCode)
	require.Equal(t, wire.KindConfirmation, nb.Notifications[0].Kind)
	require.Equal(t, nb.Notifications[0].ID, d.MessageId)
}
