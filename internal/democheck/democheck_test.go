package democheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/irctest"
	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/testproc"
)

// stream is an SSE endpoint that sends one notification when send is closed.
func stream(t *testing.T, send <-chan struct{}) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-send:
			fmt.Fprint(w, "id: 1-0\ndata: {\"id\":\"n1\",\"topic\":\"t\",\"summary\":\"ralph edited a page\",\"url\":\"https://example.org/p\",\"severity\":20,\"filters\":[\"f\"]}\n\n")
			w.(http.Flusher).Flush()
		case <-r.Context().Done():
			return
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// waitFile waits until path exists.
func waitFile(t *testing.T, path string, done <-chan error) {
	t.Helper()
	deadline := time.After(irctest.WaitTimeout)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("Run ended before it was ready: %v", err)
		case <-deadline:
			t.Fatal("never ready")
		case <-time.After(20 * time.Millisecond): // poll interval of a wait with a deadline
		}
	}
}

// With every channel delivering after it is ready, Run reports each and succeeds; with -hold it
// keeps the nick and logs the bot's later lines.
func TestEveryChannelDelivered(t *testing.T) {
	t.Parallel()
	mail := mailtest.Start(t)
	ircd := irctest.Start(t)
	send := make(chan struct{})
	ircLog := &testproc.SyncBuffer{}
	cfg := Config{StreamURL: stream(t, send), MailpitURL: mail.APIURL, Email: "demo@example.org",
		IRCServer: ircd.Addr, IRCNick: "demo", BotNick: "fmnbot", Timeout: irctest.WaitTimeout,
		ReadyFile: filepath.Join(t.TempDir(), "ready"), Hold: true, IRCLog: ircLog}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &testproc.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, out) }()
	waitFile(t, cfg.ReadyFile, done)

	bot := ircd.Connect(t, "fmnbot")
	other := ircd.Connect(t, "someone")
	other.Send("demo", "not the bot: ignored")
	bot.Send("demo", "[wiki] ralph edited a page")
	require.NoError(t, smtp.SendMail(mail.SMTPAddr, nil, "fmn@localhost", []string{"demo@example.org"},
		[]byte("From: fmn@localhost\r\nTo: demo@example.org\r\nSubject: ralph edited a page\r\n\r\nbody\r\n")))
	close(send)

	require.Eventually(t, func() bool { return strings.Contains(out.String(), "every channel delivered") },
		irctest.WaitTimeout, 20*time.Millisecond, "report: %s", out)
	report := out.String()
	require.Contains(t, report, "ralph edited a page https://example.org/p", "the stream's notification")
	require.Contains(t, report, `"ralph edited a page" in mailpit`)
	require.Contains(t, report, "fmnbot → demo: [wiki] ralph edited a page")
	require.NotContains(t, report, "not the bot")

	bot.Send("demo", "a later line")
	require.Eventually(t, func() bool { return strings.Contains(ircLog.String(), "a later line") },
		irctest.WaitTimeout, 20*time.Millisecond, "held: the bot's later lines are logged")
	cancel()
	require.NoError(t, <-done)
}

// When nothing arrives, Run fails naming every silent channel.
func TestSilentChannelsAreNamed(t *testing.T) {
	t.Parallel()
	mail := mailtest.Start(t)
	ircd := irctest.Start(t)
	cfg := Config{StreamURL: stream(t, make(chan struct{})), MailpitURL: mail.APIURL, Email: "demo@example.org",
		IRCServer: ircd.Addr, IRCNick: "demo", BotNick: "fmn", Timeout: 2 * time.Second}
	err := Run(context.Background(), cfg, &testproc.SyncBuffer{})
	require.Error(t, err)
	for _, want := range []string{"sse: no notification", "email: no email to demo@example.org", "irc: no line from fmn to demo"} {
		require.Contains(t, err.Error(), want)
	}
}

// A nick someone else holds is refused with a message that says so, not waited on.
func TestTakenNickIsRefused(t *testing.T) {
	t.Parallel()
	ircd := irctest.Start(t)
	ircd.Connect(t, "demo")
	cfg := Config{StreamURL: stream(t, make(chan struct{})), IRCServer: ircd.Addr, IRCNick: "demo", BotNick: "fmn",
		Timeout: irctest.WaitTimeout}
	err := Run(context.Background(), cfg, &testproc.SyncBuffer{})
	require.ErrorContains(t, err, "the nick demo is taken")
}
