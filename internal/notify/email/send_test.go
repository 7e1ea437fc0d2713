package email_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/notify"
	"fmn/internal/notify/email"
	"fmn/internal/testkit/mailtest"
)

const from = "Fedora Notifications <notifications@fmn.example.org>"

func newSender(t *testing.T, addr string) *email.Sender {
	t.Helper()
	s, err := email.NewSender(email.SenderConfig{Addr: addr, TLS: email.TLSNone, From: from, Timeout: 10 * time.Second,
		Username: "fmn", Password: "secret"}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// The rendered message arrives at a real SMTP server intact: headers, both parts, and hostile
// summaries neither add header lines nor markup.
func TestSendToMailpit(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t)
	s := newSender(t, mp.SMTPAddr)
	r := testRenderer(t)

	plain, err := r.Render(testNotification("verbose"))
	require.NoError(t, err)
	hostileN := testNotification("short")
	hostileN.Destination.Address = "carol@example.org"
	hostileN.Summary = "pwned\r\nBcc: victim@example.org\r\nX-Evil: 1\r\n\r\n<script>alert(1)</script> <b>bold</b>"
	hostile, err := r.Render(hostileN)
	require.NoError(t, err)
	require.NoError(t, s.Send(t.Context(), plain))
	require.NoError(t, s.Send(t.Context(), hostile))
	require.NoError(t, s.Check(t.Context()), "the connection stays open between sends")

	got := mp.WaitFor(t, `to:"alice@example.org"`, 1)
	require.Len(t, got, 1)
	m := mp.Message(t, got[0].ID)
	require.Equal(t, "notifications@fmn.example.org", m.From.Address)
	require.Equal(t, "Fedora Notifications", m.From.Name)
	require.Equal(t, "bob's kernel-6.12.1-200.fc41 completed", m.Subject)
	require.Equal(t, strings.ReplaceAll(plain.Text, "\n", "\r\n"), m.Text)
	require.Contains(t, m.HTML, `<a href="https://koji.fedoraproject.org/koji/buildinfo?buildID=1">bob&#39;s kernel-6.12.1-200.fc41 completed</a>`)
	require.Contains(t, m.HTML, "<th align=\"left\">Artifacts</th><td>rpms/kernel</td>")
	h := mp.Headers(t, got[0].ID)
	for name, want := range map[string]string{
		"X-Fmn-Topic":           "org.fedoraproject.prod.buildsys.build.state.change",
		"X-Fmn-App":             "koji",
		"X-Fmn-User":            "alice, bob",
		"X-Fmn-Artifact":        "rpms/kernel",
		"X-Fmn-Filter":          "My packages, Kernel",
		"Precedence":            "bulk",
		"Auto-Submitted":        "auto-generated",
		"List-Unsubscribe":      "<https://fmn.example.org/mute?token=m2.YWxpY2UKNwoxODAzMjEzMDAxCjMKOQ.O4GfWFV3TSYSq5PgOis3VsurVL1xypD1alZAZ7xntfw>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Message-Id":            "<df0a008b72663028b261c1779316e17c@fmn.example.org>",
	} {
		require.Equal(t, []string{want}, h[name], name)
	}

	got = mp.WaitFor(t, `to:"carol@example.org"`, 1)
	require.Len(t, got, 1)
	m = mp.Message(t, got[0].ID)
	require.Equal(t, "pwned Bcc: victim@example.org X-Evil: 1 <script>alert(1)</script> <b>bold</b>", m.Subject,
		"CR/LF in the summary leave one harmless subject line")
	require.Contains(t, m.HTML, "pwned Bcc: victim@example.org X-Evil: 1 &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;")
	require.NotContains(t, m.HTML, "<script>")
	require.NotContains(t, m.HTML, "<b>bold")
	h = mp.Headers(t, got[0].ID)
	require.NotContains(t, h, "Bcc")
	require.NotContains(t, h, "X-Evil")
	require.Len(t, h["Subject"], 1)
	victims, err := mp.Search(t.Context(), `to:"victim@example.org"`)
	require.NoError(t, err)
	require.Empty(t, victims, "no injected recipient")
}

func TestSendClassifiesFailures(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, func(to string, _ int) error {
		switch {
		case strings.HasPrefix(to, "later@"):
			return mailtest.Reply(451, "try again later")
		case strings.HasPrefix(to, "nobody@"):
			return mailtest.Reply(550, "no such user")
		}
		return nil
	})
	s := newSender(t, fake.Addr)
	msg := func(to string) email.Message { return email.Message{To: to, Subject: "s", Text: "t", HTML: "<p>h</p>"} }
	ctx := t.Context()

	// Successful sends share one connection.
	require.NoError(t, s.Send(ctx, msg("a@example.org")))
	require.NoError(t, s.Send(ctx, msg("b@example.org")))
	_, sessions := fake.Counts()
	require.Equal(t, 1, sessions)

	// 4xx is temporary; the session is dropped and the next send reconnects.
	err := s.Send(ctx, msg("later@example.org"))
	require.Error(t, err)
	require.False(t, notify.IsPermanent(err), "%v", err)
	require.Contains(t, err.Error(), "smtp 451")

	// 5xx is permanent.
	err = s.Send(ctx, msg("nobody@example.org"))
	require.Error(t, err)
	require.True(t, notify.IsPermanent(err), "%v", err)
	require.Contains(t, err.Error(), "smtp 550")

	require.NoError(t, s.Send(ctx, msg("c@example.org")))
	_, sessions = fake.Counts()
	require.Equal(t, 3, sessions, "a new session after each failure")
	require.Len(t, fake.Received(), 3)

	// An address that cannot be parsed is permanent, and never reaches the server.
	err = s.Send(ctx, msg("not an address\r\nBcc: x@example.org"))
	require.True(t, notify.IsPermanent(err), "%v", err)
}

func TestSendToAClosedPortIsTemporary(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	s := newSender(t, addr)
	err = s.Send(t.Context(), email.Message{To: "a@example.org", Subject: "s", Text: "t"})
	require.Error(t, err)
	require.False(t, notify.IsPermanent(err), "%v", err)
	require.Error(t, s.Check(t.Context()))
}

func TestNewSenderRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]email.SenderConfig{
		"no port":  {Addr: "localhost", From: from},
		"bad tls":  {Addr: "localhost:25", From: from, TLS: "maybe"},
		"bad from": {Addr: "localhost:25", From: "not an address"},
	} {
		_, err := email.NewSender(cfg, nil)
		require.Error(t, err, name)
	}
}

// STARTTLS mode upgrades the connection, and refuses a server that does not offer it rather
// than falling back to plain text.
func TestSendWithSTARTTLS(t *testing.T) {
	t.Parallel()
	fake, clientTLS := mailtest.NewFakeTLS(t, nil)
	s, err := email.NewSender(email.SenderConfig{Addr: fake.Addr, TLS: email.TLSStartTLS, From: from, TLSConfig: clientTLS}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Send(t.Context(), email.Message{To: "a@example.org", Subject: "s", Text: "t"}))
	require.Len(t, fake.Received(), 1)

	plain := mailtest.NewFake(t, nil)
	s, err = email.NewSender(email.SenderConfig{Addr: plain.Addr, TLS: email.TLSStartTLS, From: from, TLSConfig: clientTLS}, nil)
	require.NoError(t, err)
	err = s.Send(t.Context(), email.Message{To: "a@example.org", Subject: "s", Text: "t"})
	require.ErrorContains(t, err, "STARTTLS")
	require.Empty(t, plain.Received(), "nothing sent in the clear")
}
