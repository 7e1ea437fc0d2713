package irc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/notify"
	"fmn/internal/notify/irc"
	"fmn/internal/testkit/irctest"
	"fmn/internal/wire"
	"fmn/pkg/prefs"
)

type testBundle struct {
	srv    *irctest.Server
	bot    *irc.Bot
	cmds   *fakeCommands
	waits  *waitCounter
	cancel context.CancelFunc
	done   chan error
}

// waitCounter is the bot's limiter wait: it records each wait and returns at once, so pacing is
// asserted by what was asked, not by time.
type waitCounter struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitCounter) after(d time.Duration) <-chan time.Time {
	w.mu.Lock()
	w.waits = append(w.waits, d)
	w.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func (w *waitCounter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.waits)
}

type fakeCommands struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeCommands) SetIRCEnabled(_ context.Context, nick string, enabled bool) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("%s=%v", nick, enabled))
	return 1, nil
}

// ConfirmIRCByCode accepts the code GOODCODE as bob's.
func (f *fakeCommands) ConfirmIRCByCode(_ context.Context, nick, code string) (prefs.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("confirm %s %s", nick, code))
	switch code {
	case "GOODCODE":
		return prefs.User{Name: "bob"}, nil
	case "EXPIRED1":
		return prefs.User{}, prefs.ErrConfirmationExpired
	}
	return prefs.User{}, prefs.ErrConfirmationWrongCode
}

func (f *fakeCommands) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// setup starts ergo and a bot whose clock is frozen (so the limiter never refills: every line past
// the burst asks for a wait) and whose waits are counted, and waits until it is connected.
func setup(t *testing.T, burst int) *testBundle {
	t.Helper()
	srv := irctest.Start(t)
	frozen := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	b := &testBundle{srv: srv, cmds: &fakeCommands{}, waits: &waitCounter{}, done: make(chan error, 1)}
	bot, err := irc.New(irc.Config{Server: srv.Addr, Nick: "fmnbot", Rate: 1, Burst: burst, LateAfter: 5 * time.Minute},
		b.cmds, slog.New(slog.NewTextHandler(io.Discard, nil)), irc.WithClock(func() time.Time { return frozen }), irc.WithAfter(b.waits.after))
	require.NoError(t, err)
	b.bot = bot
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go func() { b.done <- bot.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-b.done)
	})
	waitFor(t, bot.Connected, "bot connected")
	return b
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(irctest.WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, irctest.WaitTimeout)
		}
		time.Sleep(10 * time.Millisecond) // poll interval of a wait with a deadline
	}
}

func note(nick, summary string) wire.Notification {
	return wire.Notification{ID: summary, App: "bodhi", Summary: summary, Destination: wire.Destination{Kind: "irc", Address: nick}}
}

// TestBot runs the delivery paths against one ergo and one bot (each connection costs seconds).
func TestBot(t *testing.T) {
	t.Parallel()
	b := setup(t, 2)
	alice := b.srv.Connect(t, "alice")
	ctx := t.Context()

	// A notification reaches the recipient nick as one PRIVMSG.
	require.NoError(t, b.bot.Send(ctx, note("alice", "hello alice")))
	got := alice.WaitLines(t, "fmnbot", 1)
	require.Equal(t, irctest.Line{From: "fmnbot", Command: "PRIVMSG", Target: "alice", Text: "[bodhi] hello alice"}, got[0])

	// An injection attempt arrives as one harmless line; nothing else is sent (the next line
	// alice receives is the marker).
	mallory := b.srv.Connect(t, "mallory")
	require.NoError(t, b.bot.Send(ctx, note("alice", "hi\r\nPRIVMSG mallory :owned\r\nQUIT :bye")))
	require.NoError(t, b.bot.Send(ctx, note("alice", "marker")))
	got = alice.WaitLines(t, "fmnbot", 3)
	require.Len(t, got, 3)
	require.Equal(t, "[bodhi] hi PRIVMSG mallory :owned QUIT :bye", got[1].Text)
	require.Equal(t, "[bodhi] marker", got[2].Text)
	require.Empty(t, mallory.Lines(), "the injected PRIVMSG must not reach mallory")
	require.True(t, b.bot.Connected(), "the injected QUIT must not disconnect the bot")

	// N messages are paced by the limiter and arrive complete and in order: with a frozen clock
	// every line past the burst (a send is a PRIVMSG and a PING) asks for a wait.
	before := b.waits.count()
	const n = 6
	for i := range n {
		require.NoError(t, b.bot.Send(ctx, note("alice", fmt.Sprintf("paced %d", i))))
	}
	got = alice.WaitLines(t, "fmnbot", 3+n)[3:]
	for i := range n {
		require.Equal(t, fmt.Sprintf("[bodhi] paced %d", i), got[i].Text)
	}
	require.Equal(t, 2*n, b.waits.count()-before, "every line waited for the limiter")

	// A nick that is not online: a temporary failure, classified.
	err := b.bot.Send(ctx, note("nobody", "lost"))
	require.ErrorAs(t, err, &irc.NoSuchNickError{})
	require.False(t, notify.IsPermanent(err))

	// A nick that cannot be one: permanent.
	require.True(t, notify.IsPermanent(b.bot.Send(ctx, note("#channel", "x"))))
}

// TestBotCommands: help, stop, start and confirm in private messages; answers are NOTICEs.
func TestBotCommands(t *testing.T) {
	t.Parallel()
	b := setup(t, 4)
	bob := b.srv.Connect(t, "bob")
	cmds := []string{"help", "stop", "START", "frobnicate", "confirm", "confirm GOODCODE", "CONFIRM EXPIRED1", "confirm <b>x\x02y"}
	for i, cmd := range cmds {
		bob.Send("fmnbot", cmd)
		got := bob.WaitLines(t, "fmnbot", i+1)
		require.Equal(t, "NOTICE", got[i].Command)
	}
	lines := bob.Lines()
	require.Contains(t, lines[0].Text, `"stop"`)
	require.Contains(t, lines[1].Text, "stopped")
	require.Contains(t, lines[2].Text, "resumed")
	require.Contains(t, lines[3].Text, "Unknown command")
	require.Contains(t, lines[4].Text, "Usage")
	require.Equal(t, `Confirmed: notifications of the account "bob" now come to this nick. Send "stop" to pause them.`, lines[5].Text)
	require.Equal(t, "Not confirmed: "+prefs.ErrConfirmationExpired.Error()+".", lines[6].Text)
	require.Equal(t, "Not confirmed: "+prefs.ErrConfirmationWrongCode.Error()+".", lines[7].Text, "the code is not echoed")
	require.Equal(t, []string{"bob=false", "bob=true", "confirm bob GOODCODE", "confirm bob EXPIRED1", "confirm bob <b>xy"}, b.cmds.Calls(),
		"control characters are cleaned before the store sees them")
}

// TestBotSendsConfirmationCodes: a confirmation reaches the nick as one line with its code;
// one without a code is refused for good.
func TestBotSendsConfirmationCodes(t *testing.T) {
	t.Parallel()
	b := setup(t, 4)
	carol := b.srv.Connect(t, "carol")
	n := wire.Notification{ID: "c1", Kind: wire.KindConfirmation, User: "carol", ConfirmCode: "ABCD2345",
		Destination: wire.Destination{Kind: "irc", Address: "carol"}}
	require.NoError(t, b.bot.Send(t.Context(), n))
	got := carol.WaitLines(t, "fmnbot", 1)
	require.Equal(t, "PRIVMSG", got[0].Command)
	require.Equal(t, irc.RenderConfirmation(n, irc.TextBudget("fmnbot", "carol")), got[0].Text)
	require.Contains(t, got[0].Text, `"confirm ABCD2345"`)
	n.ConfirmCode = "\r\n"
	require.True(t, notify.IsPermanent(b.bot.Send(t.Context(), n)))
}

// TestBotDisconnected: once the server is gone, sends fail at once with a temporary error and
// readiness reports it.
func TestBotDisconnected(t *testing.T) {
	t.Parallel()
	b := setup(t, 4)
	b.srv.Stop()
	waitFor(t, func() bool { return !b.bot.Connected() }, "bot disconnected")
	err := b.bot.Send(t.Context(), note("alice", "x"))
	require.True(t, errors.Is(err, irc.ErrDisconnected))
	require.False(t, notify.IsPermanent(err))
	require.Error(t, b.bot.Check(t.Context()))
}

// TestBotAnsweredJustBeforeTheServerWent: a server that answers a line's PING and closes the
// connection right away (a restart) has taken the line; the send succeeds rather than being
// retried, which would send it twice. The server is a scripted one: no real server closes at that
// exact moment on demand.
func TestBotAnsweredJustBeforeTheServerWent(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	got := make(chan string, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go scriptedServer(c, got)
		}
	}()
	bot, err := irc.New(irc.Config{Server: ln.Addr().String(), Nick: "fmnbot"}, nil, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- bot.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	waitFor(t, bot.Connected, "bot connected")
	require.NoError(t, bot.Send(t.Context(), note("alice", "hello")), "answered, then gone: sent")
	require.Equal(t, "PRIVMSG alice :[bodhi] hello", <-got)
}

// scriptedServer registers a client, then reports its first PRIVMSG, answers the PING after it
// with its PONG and closes the connection at once.
func scriptedServer(c net.Conn, got chan<- string) {
	defer c.Close()
	r := bufio.NewReader(c)
	var privmsg string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		cmd, rest, _ := strings.Cut(line, " ")
		switch cmd {
		case "USER":
			fmt.Fprintf(c, ":srv 001 fmnbot :welcome\r\n:srv 376 fmnbot :end of MOTD\r\n")
		case "PRIVMSG":
			privmsg = line
		case "PING":
			if privmsg == "" {
				fmt.Fprintf(c, ":srv PONG srv %s\r\n", rest)
				continue
			}
			fmt.Fprintf(c, ":srv PONG srv :%s\r\n", strings.TrimPrefix(rest, ":"))
			got <- privmsg
			return // gone right after its answer
		}
	}
}
