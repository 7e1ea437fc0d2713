package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"fmn/internal/confirm"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/irctest"
	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/rabbittest"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

var (
	confirmLink = regexp.MustCompile(`(http://[^\s"<>]+)/confirm/([A-Za-z0-9_-]+)`)
	confirmCode = regexp.MustCompile(`"confirm ([A-Z0-9]+)"`)
)

// confirmSender is a confirm.Sender on the stack's broker, with links to its web app.
func (s *stack) confirmSender() *confirm.Sender {
	s.t.Helper()
	conn, err := rabbit.Dial(rabbit.Config{URL: s.amqpURL}, rabbit.Deps{})
	require.NoError(s.t, err)
	s.t.Cleanup(func() { _ = conn.Close() })
	pub := conn.NewPublisher()
	s.t.Cleanup(func() { _ = pub.Close() })
	sender, err := confirm.NewSender(pub, s.topo, s.webURL, time.Now)
	require.NoError(s.t, err)
	return sender
}

// Alice adds an email address (with digest settings that would hold any notification for an
// hour) and an IRC nick. A bus message about her reaches neither while they are unconfirmed (her
// SSE stream gets it). The confirmation email arrives at once, not digested, and its link's
// secret confirms the address; the bot sends her nick a code, and "confirm CODE" sent back to the
// bot confirms the nick. The next bus message reaches both.
func TestConfirmationByEmailLinkAndIRCCode(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.mail = mailtest.Start(t)
	s.irc = irctest.Start(t)
	alice := s.irc.Connect(t, "alice")
	s.startAll()
	ctx := context.Background()
	store := pgstore.New(s.pool, pgstore.WithDefaultFilters(nil))
	sender := s.confirmSender()

	u, err := store.CreateUser(ctx, "alice", "")
	require.NoError(t, err)
	ds, err := store.Destinations(ctx, u)
	require.NoError(t, err)
	sse := ds[0]
	mail, err := store.CreateDestination(ctx, u, prefs.Destination{Kind: prefs.KindEmail, Address: "alice@example.org",
		DigestMaxCount: 100, DigestMaxDelay: time.Hour})
	require.NoError(t, err)
	nick, err := store.CreateDestination(ctx, u, prefs.Destination{Kind: prefs.KindIRC, Address: "alice"})
	require.NoError(t, err)
	_, err = store.CreateFilter(ctx, u, rules.Filter{Name: "about me", Enabled: true, Destinations: []int64{sse.ID, mail.ID, nick.ID},
		Conditions: []rules.Condition{{Field: rules.FieldUser, Op: rules.OpIn, Values: []string{rules.Me}}}})
	require.NoError(t, err)
	s.waitWorkersCurrent()

	// Unconfirmed: the message reaches the SSE stream only. The worker publishes all of a
	// message's notifications at once, so once the stream has it, any other would be queued.
	s.userMessage("before-confirm", "alice")
	require.Eventually(t, func() bool { return s.streamLen("alice") == 1 }, waitFor, 10*time.Millisecond)

	// Email: the link arrives at once although the destination collects digests.
	mc, err := store.BeginConfirmation(ctx, u, mail.ID)
	require.NoError(t, err)
	require.NoError(t, sender.Send(ctx, u, mail, mc))
	got := s.mail.WaitFor(t, `to:"alice@example.org"`, 1)
	m := s.mail.Message(t, got[0].ID)
	require.Equal(t, "Confirm fmn notifications to alice@example.org", m.Subject)
	link := confirmLink.FindStringSubmatch(m.Text)
	require.NotNil(t, link, "no confirmation link in %q", m.Text)
	require.Equal(t, s.webURL, link[1])
	require.Contains(t, m.HTML, link[0])
	h := s.mail.Headers(t, got[0].ID)
	require.Empty(t, h["List-Unsubscribe"], "nothing to mute")
	require.Empty(t, h["Precedence"], "no bulk mail")
	cu, cd, err := store.ConfirmBySecret(ctx, link[2])
	require.NoError(t, err)
	require.Equal(t, "alice", cu.Name)
	require.Equal(t, mail.ID, cd.ID)
	_, _, err = store.ConfirmBySecret(ctx, link[2])
	require.ErrorIs(t, err, prefs.ErrConfirmationInvalid, "the link works once")

	// IRC: the bot sends the code; alice sends it back.
	ic, err := store.BeginConfirmation(ctx, u, nick.ID)
	require.NoError(t, err)
	require.NoError(t, sender.Send(ctx, u, nick, ic))
	lines := alice.WaitLines(t, "fmnbot", 1)
	require.Equal(t, "PRIVMSG", lines[0].Command)
	code := confirmCode.FindStringSubmatch(lines[0].Text)
	require.NotNil(t, code, "no code in %q", lines[0].Text)
	require.Equal(t, ic.Code, code[1])
	alice.Send("fmnbot", "confirm "+strings.ToLower(code[1]))
	lines = alice.WaitLines(t, "fmnbot", 2)
	require.Equal(t, "NOTICE", lines[1].Command)
	require.True(t, strings.HasPrefix(lines[1].Text, "Confirmed:"), lines[1].Text)
	ds, err = store.Destinations(ctx, u)
	require.NoError(t, err)
	for _, d := range ds {
		require.True(t, d.Confirmed, "destination %d (%s)", d.ID, d.Kind)
	}

	// Confirmed: the next message reaches the nick, and waits in the email digest; the first
	// one reached neither.
	s.waitWorkersCurrent()
	s.userMessage("after-confirm", "alice")
	lines = alice.WaitLines(t, "fmnbot", 3)
	require.Len(t, lines, 3, "code, answer, then only the message after confirmation: %v", lines)
	require.Equal(t, "PRIVMSG", lines[2].Command)
	require.Eventually(t, func() bool {
		rows, err := s.pool.Query(ctx, `SELECT notification->>'message_id' FROM digest_items WHERE destination_id = $1`, mail.ID)
		if err != nil {
			return false
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		return err == nil && len(ids) == 1 && ids[0] == "after-confirm"
	}, waitFor, 10*time.Millisecond)
	var before int
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE message_id = 'before-confirm'`).Scan(&before))
	require.Zero(t, before, "the unconfirmed destinations got nothing")
	require.Len(t, s.mail.WaitFor(t, `to:"alice@example.org"`, 1), 1, "only the confirmation email")
}
