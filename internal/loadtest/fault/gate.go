package fault

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// smtpGate is a relay in front of an SMTP server that can refuse, the way a mail server that is
// overloaded or shutting down does (RFC 5321 §3.8): while refusing, it greets every new connection
// with 421, and answers 421 to the next command of a session in progress (never inside a message,
// never to a message already sent: the client waits for the reply to one command before the next),
// closing it. Everything else it passes through unchanged.
type smtpGate struct {
	ln       net.Listener
	target   string
	refusing atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// refusal is what the gate answers while refusing.
const refusal = "421 4.3.2 fmnbench: this server refuses mail for a fault test\r\n"

func newSMTPGate(target string) (*smtpGate, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtp gate: %w", err)
	}
	g := &smtpGate{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	g.wg.Go(g.serve)
	return g, nil
}

// addr is where the backend sends mail.
func (g *smtpGate) addr() string { return g.ln.Addr().String() }

func (g *smtpGate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.wg.Go(func() { g.relay(c) })
	}
}

// relay passes one session through: the server's side as it comes, the client's line by line,
// following whether a line is a command or part of a message.
func (g *smtpGate) relay(c net.Conn) {
	defer c.Close()
	if g.refusing.Load() {
		_, _ = io.WriteString(c, refusal)
		return
	}
	up, err := net.Dial("tcp", g.target)
	if err != nil {
		return
	}
	defer up.Close()
	if !g.track(c, up) {
		return
	}
	defer g.untrack(c, up)
	g.wg.Go(func() {
		_, _ = io.Copy(c, up)
		_ = c.Close()
	})
	r := bufio.NewReader(c)
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimRight(line, "\r\n"))
		switch {
		case inData:
			inData = cmd != "."
		case g.refusing.Load():
			_, _ = io.WriteString(c, refusal)
			return
		case cmd == "DATA":
			inData = true
		}
		if _, err := io.WriteString(up, line); err != nil {
			return
		}
	}
}

// track registers a relayed session, which close ends; false once the gate is closed.
func (g *smtpGate) track(cs ...net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns == nil {
		return false
	}
	for _, c := range cs {
		g.conns[c] = struct{}{}
	}
	return true
}

func (g *smtpGate) untrack(cs ...net.Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range cs {
		delete(g.conns, c)
	}
}

// refuse starts refusing or stops.
func (g *smtpGate) refuse(on bool) { g.refusing.Store(on) }

// close stops the gate and ends the sessions it relays.
func (g *smtpGate) close() {
	_ = g.ln.Close()
	g.mu.Lock()
	for c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
	g.mu.Unlock()
	g.wg.Wait()
}
