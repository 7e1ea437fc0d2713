// Package childproc runs a program as a child process on this machine: it starts it, waits until
// it is ready, stops it by its pid (SIGTERM, then SIGKILL if it lingers), and kills or restarts it
// in place with the same command. It also picks the free loopback ports such children listen on.
// The load tool runs fmn's processes and its fault run's servers with it; the tests' helpers
// (internal/testkit/testproc) wrap it for testing.TB.
package childproc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Defaults of a Spec's zero fields.
const (
	// DefaultStopGrace is how long Stop waits after SIGTERM before it kills the process: long
	// enough for an fmn process's soft shutdown.
	DefaultStopGrace = 20 * time.Second
	// DefaultPoll is how often WaitReady asks whether the process is ready.
	DefaultPoll = 50 * time.Millisecond
)

// Spec says what to run and how to tell that it serves.
type Spec struct {
	// Name names the process in errors.
	Name string
	// Bin is the program, Args its arguments, Dir its working directory (empty: this process's).
	Bin  string
	Args []string
	Dir  string
	// Env is added to this process's environment.
	Env []string
	// Output receives its standard output and error; nil discards them.
	Output io.Writer
	// Ready reports whether the process serves; nil: it does once started.
	Ready func(ctx context.Context) error
	// StopGrace is how long Stop waits after SIGTERM (default DefaultStopGrace); Poll how often
	// WaitReady asks Ready (default DefaultPoll).
	StopGrace, Poll time.Duration
}

// Proc is a child process. A restart replaces the process in place: the same Spec, a new pid.
type Proc struct {
	spec Spec

	mu   sync.Mutex // guards cmd, done and err, which a restart replaces
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// New returns the process of spec, not started yet.
func New(spec Spec) *Proc { return &Proc{spec: spec} }

// Start runs spec's program and returns without waiting for it to be ready.
func Start(spec Spec) (*Proc, error) {
	p := New(spec)
	return p, p.Start()
}

// Name is the Spec's name.
func (p *Proc) Name() string { return p.spec.Name }

// Start starts the process (again, after it ended: the same command).
func (p *Proc) Start() error {
	cmd := exec.Command(p.spec.Bin, p.spec.Args...)
	cmd.Dir = p.spec.Dir
	cmd.Env = append(os.Environ(), p.spec.Env...)
	cmd.Stdout, cmd.Stderr = p.spec.Output, p.spec.Output
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.spec.Name, err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.err = cmd, done, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// running returns the current process and the channel closed when it exits (nil, nil before the
// first Start).
func (p *Proc) running() (*exec.Cmd, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd, p.done
}

// Pid is the current process's id (0 before the first Start).
func (p *Proc) Pid() int {
	cmd, _ := p.running()
	if cmd == nil {
		return 0
	}
	return cmd.Process.Pid
}

// Exited is closed when the current process has ended (nil before the first Start).
func (p *Proc) Exited() <-chan struct{} {
	_, done := p.running()
	return done
}

// ExitErr is how the current process ended (nil while it runs).
func (p *Proc) ExitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// WaitReady waits until Ready reports nil, failing if the process exits first or timeout passes.
func (p *Proc) WaitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(cmp.Or(p.spec.Poll, DefaultPoll))
	defer tick.Stop()
	ready := p.spec.Ready
	if ready == nil {
		return nil
	}
	for {
		err := ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-p.Exited():
			exit := p.ExitErr()
			if exit == nil {
				exit = errors.New("exit status 0")
			}
			return fmt.Errorf("%s exited before it was ready: %w", p.spec.Name, exit)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %w", p.spec.Name, timeout, err)
		case <-tick.C:
		}
	}
}

// KillAndRestart kills the process with SIGKILL (no shutdown: whatever it held is left as a crash
// leaves it), starts it again, and waits up to timeout until it is ready.
func (p *Proc) KillAndRestart(ctx context.Context, timeout time.Duration) error {
	p.Kill()
	if err := p.Start(); err != nil {
		return err
	}
	return p.WaitReady(ctx, timeout)
}

// Restart stops the process (as Stop does), starts it again, and waits up to timeout until it is
// ready.
func (p *Proc) Restart(ctx context.Context, timeout time.Duration) error {
	p.Stop()
	if err := p.Start(); err != nil {
		return err
	}
	return p.WaitReady(ctx, timeout)
}

// Kill kills the process with SIGKILL and waits until it has ended.
func (p *Proc) Kill() {
	cmd, done := p.running()
	if cmd == nil {
		return // never started
	}
	_ = cmd.Process.Kill()
	<-done
}

// Stop asks the process to stop (SIGTERM) and kills it if it has not after StopGrace. It does
// nothing to a process that has ended or never started, so it is safe to call more than once.
func (p *Proc) Stop() {
	cmd, done := p.running()
	if cmd == nil {
		return // never started
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(cmp.Or(p.spec.StopGrace, DefaultStopGrace)):
		_ = cmd.Process.Kill()
		<-done
	}
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

// FreeAddr is a free loopback host:port (see FreePort).
func FreeAddr() (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

// Dial reports whether something listens at addr.
func Dial(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// Listening is a Ready check: something listens at addr.
func Listening(addr string) func(context.Context) error {
	return func(context.Context) error { return Dial(addr) }
}
