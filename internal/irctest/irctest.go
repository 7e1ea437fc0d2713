// Package irctest gives tests a real IRC server: an ergo process on a free loopback port, started
// per test and stopped by pid at cleanup, plus a girc client that plays the recipient.
//
// The ergo binary is built from the tools module (tools/go.mod) by scripts/tools.sh into
// $HOME/.cache/fmn-tools/ergo-<version>/ergo, so a second build costs nothing; FMN_ERGO names
// another binary. A missing binary skips the test locally and fails it in CI.
package irctest

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lrstanley/girc"

	"fmn/internal/testenv"
)

// ErgoVersion is the ergo version tools/go.mod pins (a test keeps them in step).
const ErgoVersion = "v1.2.1-0.20210919081820-20d8d269ca18"

// EnvBinary names the variable that overrides the ergo binary's path.
const EnvBinary = "FMN_ERGO"

// Timeouts of the helpers: they bound waits on conditions, they are not expected durations.
const (
	startTimeout = 30 * time.Second
	// WaitTimeout bounds the helpers' waits for a message or a connection.
	WaitTimeout  = 30 * time.Second
	pollInterval = 20 * time.Millisecond
)

//go:embed ircd.yaml.tmpl
var configTemplate string

// BinaryPath returns where the ergo binary is expected: FMN_ERGO, or the cache.
func BinaryPath() string {
	if p := os.Getenv(EnvBinary); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, ".cache", "fmn-tools", "ergo-"+ErgoVersion, "ergo")
}

// Server is a running ergo.
type Server struct {
	// Addr is the host:port of its plaintext listener.
	Addr string

	cmd    *exec.Cmd
	exited chan struct{}
	out    *syncBuffer
}

// Start starts an ergo for this test and stops it at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := BinaryPath()
	if _, err := os.Stat(bin); err != nil {
		testenv.Unavailable(t, "ergo (build it with scripts/tools.sh)", err)
	}
	var last error
	for range 3 { // a free port may be taken between choosing and binding it: try again
		s, err := start(t, bin)
		if err == nil {
			return s
		}
		last = err
	}
	t.Fatalf("ergo did not start: %v", last)
	return nil
}

func start(t testing.TB, bin string) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	dir := t.TempDir()
	conf := filepath.Join(dir, "ircd.yaml")
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(configTemplate, "{{PORT}}", strconv.Itoa(port))), 0o600); err != nil {
		return nil, err
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), exited: make(chan struct{}), out: &syncBuffer{}}
	s.cmd = exec.Command(bin, "run", "--conf", conf)
	s.cmd.Dir = dir // the datastore (ircd.db) is created beside the config
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.Stop)
	if err := s.waitUp(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%w; output:\n%s", err, s.out.String())
	}
	return s, nil
}

// waitUp waits until the listener answers, or the process exits, or the deadline passes.
func (s *Server) waitUp() error {
	deadline := time.Now().Add(startTimeout)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			_ = c.Close()
			return nil
		}
		select {
		case <-s.exited:
			return errors.New("ergo exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ergo not up after %s: %w", startTimeout, err)
		}
		time.Sleep(pollInterval) // poll interval of a wait with a deadline
	}
}

// Stop ends the process by its pid: SIGTERM, then SIGKILL if it lingers. It is safe to call
// more than once.
func (s *Server) Stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// Output returns what ergo printed so far (for failure messages).
func (s *Server) Output() string { return s.out.String() }

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

// syncBuffer collects the process's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len() > 64<<10 {
		return len(p), nil
	}
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
