package childproc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestKillAndRestartReplacesTheProcess: a restart keeps the command and changes the pid; Stop
// ends it and may be called again.
func TestKillAndRestartReplacesTheProcess(t *testing.T) {
	t.Parallel()
	p, err := Start(Spec{Name: "sleep", Bin: "/bin/sleep", Args: []string{"30"}})
	require.NoError(t, err)
	t.Cleanup(p.Stop)
	pid := p.Pid()
	require.NoError(t, p.KillAndRestart(context.Background(), time.Second))
	require.NotEqual(t, pid, p.Pid())
	p.Stop()
	<-p.Exited()
	p.Stop()
}

// TestWaitReadyFailsWhenTheProcessExits: a process that ends before it is ready is reported at
// once, not after the timeout.
func TestWaitReadyFailsWhenTheProcessExits(t *testing.T) {
	t.Parallel()
	p, err := Start(Spec{Name: "true", Bin: "/bin/true", Ready: func(context.Context) error { return errors.New("not yet") }})
	require.NoError(t, err)
	start := time.Now()
	err = p.WaitReady(context.Background(), time.Minute)
	require.ErrorContains(t, err, "true exited before it was ready")
	require.Less(t, time.Since(start), 10*time.Second)
}

// TestFreeAddrIsDialable: nothing listens on a free address; Listening says so.
func TestFreeAddrIsDialable(t *testing.T) {
	t.Parallel()
	addr, err := FreeAddr()
	require.NoError(t, err)
	require.Error(t, Listening(addr)(context.Background()))
}
