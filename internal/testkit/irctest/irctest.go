// Package irctest gives tests a real IRC server: an ergo (internal/devtools) on a free loopback
// port, started per test and stopped by pid at cleanup, plus a girc client that plays the
// recipient.
//
// The ergo binary is built from the tools module (tools/go.mod) by scripts/tools.sh into
// $HOME/.cache/fmn-tools/ergo-<version>/ergo, so a second build costs nothing; FMN_ERGO names
// another binary. A missing binary skips the test locally and fails it in CI.
package irctest

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lrstanley/girc"

	"fmn/internal/childproc"
	"fmn/internal/devtools"
	"fmn/internal/testkit/testproc"
)

// WaitTimeout bounds the helpers' waits for a message or a connection; it is not an expected
// duration.
const WaitTimeout = 30 * time.Second

// Server is a running ergo.
type Server struct {
	// Addr is the host:port of its plaintext listener.
	Addr string

	proc *testproc.Proc
}

// Start starts an ergo for this test and stops it at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	s.proc = testproc.Start(t, "ergo", devtools.ErgoPath(), func() (childproc.Spec, error) {
		e, err := devtools.NewErgo(t.TempDir())
		if err != nil {
			return childproc.Spec{}, err
		}
		s.Addr = e.Addr
		return e.Spec(nil), nil
	})
	return s
}

// Stop ends the server by its pid. It is safe to call more than once.
func (s *Server) Stop() { s.proc.Stop() }

// Output returns what ergo printed so far (for failure messages).
func (s *Server) Output() string { return s.proc.Output() }

// Line is one PRIVMSG or NOTICE a Client received.
type Line struct {
	// From is the sender's nick, Command PRIVMSG or NOTICE, Target the nick or channel it was
	// sent to, Text its trailing parameter.
	From, Command, Target, Text string
}

// Client is a girc client connected to a Server: the recipient of a test.
type Client struct {
	// Nick is the client's nick.
	Nick string

	c       *girc.Client
	mu      sync.Mutex
	lines   []Line
	raw     []string
	changed chan struct{}
	done    chan struct{}
}

// Connect connects a client with nick to s, waits until it is registered, and disconnects it
// at cleanup.
func (s *Server) Connect(t testing.TB, nick string) *Client {
	t.Helper()
	host, portS, _ := net.SplitHostPort(s.Addr)
	port, _ := strconv.Atoi(portS)
	c := &Client{Nick: nick, changed: make(chan struct{}), done: make(chan struct{})}
	c.c = girc.New(girc.Config{Server: host, Port: port, Nick: nick, User: "fmntest", Name: "fmn test", AllowFlood: true})
	connected := make(chan struct{})
	var once sync.Once
	c.c.Handlers.AddBg(girc.CONNECTED, func(*girc.Client, girc.Event) { once.Do(func() { close(connected) }) })
	c.c.Handlers.AddBg(girc.ALL_EVENTS, func(_ *girc.Client, e girc.Event) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.raw = append(c.raw, e.String())
		if (e.Command == girc.PRIVMSG || e.Command == girc.NOTICE) && e.Source != nil && len(e.Params) > 0 {
			c.lines = append(c.lines, Line{From: e.Source.Name, Command: e.Command, Target: e.Params[0], Text: e.Last()})
			close(c.changed)
			c.changed = make(chan struct{})
		}
	})
	errc := make(chan error, 1)
	go func() { defer close(c.done); errc <- c.c.Connect() }()
	t.Cleanup(func() { c.c.Close(); <-c.done })
	select {
	case <-connected:
	case err := <-errc:
		t.Fatalf("irc client %s: connect: %v", nick, err)
	case <-time.After(WaitTimeout):
		t.Fatalf("irc client %s: not registered within %s", nick, WaitTimeout)
	}
	return c
}

// Send sends a PRIVMSG to target.
func (c *Client) Send(target, text string) { c.c.Cmd.Message(target, text) }

// Lines returns the PRIVMSG and NOTICE lines received so far.
func (c *Client) Lines() []Line {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Line(nil), c.lines...)
}

// WaitLines waits until n lines from the nick from have arrived and returns all lines from it.
func (c *Client) WaitLines(t testing.TB, from string, n int) []Line {
	t.Helper()
	deadline := time.After(WaitTimeout)
	for {
		c.mu.Lock()
		var got []Line
		for _, l := range c.lines {
			if strings.EqualFold(l.From, from) {
				got = append(got, l)
			}
		}
		changed := c.changed
		c.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("irc client %s: wanted %d lines from %s within %s, have %d: %q", c.Nick, n, from, WaitTimeout, len(got), got)
		}
	}
}
