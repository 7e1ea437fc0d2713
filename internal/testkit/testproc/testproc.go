// Package testproc runs the real servers tests need (mailpit, ergo) as child processes: it finds
// their cached binaries, picks free loopback ports, waits for them to listen, and stops them by
// pid at cleanup.
package testproc

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"fmn/internal/testkit/testenv"
)

// Timeouts: they bound waits on conditions, they are not expected durations.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	pollInterval = 20 * time.Millisecond
)

// ToolPath is where scripts/tools.sh caches a tool: $HOME/.cache/fmn-tools/NAME-VERSION/NAME,
// unless the variable env names another path.
func ToolPath(env, name, version string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, ".cache", "fmn-tools", name+"-"+version, name)
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Proc is a running child process.
type Proc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}
	out    *SyncBuffer
}

// Start runs the tool at bin (skipping the test locally, failing it in CI, when the binary is
// missing) with what build returns for a fresh attempt, and waits until ready reports nil. A
// free port may be taken between choosing and binding it, so it tries up to three times.
func Start(t testing.TB, name, bin string, build func() (*exec.Cmd, error), ready func() error) *Proc {
	t.Helper()
	if _, err := os.Stat(bin); err != nil {
		testenv.Unavailable(t, name+" (build it with scripts/tools.sh)", err)
	}
	var last error
	for range 3 {
		p, err := start(t, name, build, ready)
		if err == nil {
			return p
		}
		last = err
	}
	t.Fatalf("%s did not start: %v", name, last)
	return nil
}

func start(t testing.TB, name string, build func() (*exec.Cmd, error), ready func() error) (*Proc, error) {
	cmd, err := build()
	if err != nil {
		return nil, err
	}
	p := &Proc{name: name, cmd: cmd, exited: make(chan struct{}), out: &SyncBuffer{Limit: 64 << 10}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.Stop)
	if err := p.waitUp(ready); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%w; output:\n%s", err, p.out.String())
	}
	return p, nil
}

// waitUp waits until ready reports nil, or the process exits, or the deadline passes.
func (p *Proc) waitUp(ready func() error) error {
	deadline := time.Now().Add(startTimeout)
	for {
		err := ready()
		if err == nil {
			return nil
		}
		select {
		case <-p.exited:
			return errors.New(p.name + " exited")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not up after %s: %w", p.name, startTimeout, err)
		}
		time.Sleep(pollInterval) // poll interval of a wait with a deadline
	}
}

// Stop ends the process by its pid: SIGTERM, then SIGKILL if it lingers. It is safe to call more
// than once.
func (p *Proc) Stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Exited is closed when the process has ended.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// Output returns what the process printed so far (for failure messages).
func (p *Proc) Output() string { return p.out.String() }

// Dial reports whether something listens at addr.
func Dial(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers and readers (a process's output, a
// logger's, a report written from several goroutines). Past Limit bytes (0: no limit) further
// writes are dropped.
type SyncBuffer struct {
	Limit int

	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p unless the buffer is full.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.Limit > 0 && b.b.Len() > b.Limit {
		return len(p), nil
	}
	return b.b.Write(p)
}

// String returns what was written.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
