// Package testproc runs the real servers tests need (mailpit, ergo, devoidc) as child processes
// of the test (internal/childproc): it skips the test locally, or fails it in CI, when the binary
// is missing, retries a start that lost its free port to another process, and stops the server at
// cleanup.
package testproc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"fmn/internal/childproc"
	"fmn/internal/testkit/testenv"
)

// Timeouts: they bound waits on conditions, they are not expected durations.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	pollInterval = 20 * time.Millisecond
)

// FreePort returns a loopback port that was free a moment ago (childproc.FreePort).
func FreePort() (int, error) { return childproc.FreePort() }

// Proc is a running child process of a test.
type Proc struct {
	proc *childproc.Proc
	out  *SyncBuffer
}

// Start runs the tool at bin (skipping the test locally, failing it in CI, when the binary is
// missing) with the Spec build returns for a fresh attempt, and waits until its Ready reports nil.
// A free port may be taken between choosing and binding it, so it tries up to three times. The
// process's output is kept for Output; it is stopped at cleanup.
func Start(t testing.TB, name, bin string, build func() (childproc.Spec, error)) *Proc {
	t.Helper()
	if _, err := os.Stat(bin); err != nil {
		testenv.Unavailable(t, name+" (build it with scripts/tools.sh)", err)
	}
	var last error
	for range 3 {
		p, err := start(t, build)
		if err == nil {
			return p
		}
		last = err
	}
	t.Fatalf("%s did not start: %v", name, last)
	return nil
}

func start(t testing.TB, build func() (childproc.Spec, error)) (*Proc, error) {
	spec, err := build()
	if err != nil {
		return nil, err
	}
	p := &Proc{out: &SyncBuffer{Limit: 64 << 10}}
	spec.Output, spec.StopGrace, spec.Poll = p.out, stopTimeout, pollInterval
	if p.proc, err = childproc.Start(spec); err != nil {
		return nil, err
	}
	t.Cleanup(p.Stop)
	if err := p.proc.WaitReady(context.Background(), startTimeout); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%w; output:\n%s", err, p.out.String())
	}
	return p, nil
}

// Stop ends the process by its pid: SIGTERM, then SIGKILL if it lingers. It is safe to call more
// than once.
func (p *Proc) Stop() { p.proc.Stop() }

// Exited is closed when the process has ended.
func (p *Proc) Exited() <-chan struct{} { return p.proc.Exited() }

// Output returns what the process printed so far (for failure messages).
func (p *Proc) Output() string { return p.out.String() }

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
