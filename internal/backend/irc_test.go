package backend

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/leader"
	"fmn/internal/lifecycle"
	"fmn/internal/notify/irc"
	"fmn/internal/testkit/irctest"
	"fmn/internal/testkit/pgtest"
)

// replica is the IRC share of one backend replica: an elector on the bot's lock, and a bot it runs
// while leading (as ircDelivery.run does, without the queue).
type replica struct {
	bot     *irc.Bot
	elector *leader.Elector
	cancel  context.CancelFunc
	done    chan error
}

func startReplica(t *testing.T, dbURL, ircAddr string) *replica {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	bot, err := irc.New(irc.Config{Server: ircAddr, Nick: "fmnbot"}, nil, logger)
	require.NoError(t, err)
	r := &replica{bot: bot, elector: leader.New(dbURL, ircLockKey, 50*time.Millisecond, logger), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		r.done <- r.elector.Run(ctx, func(ctx context.Context) error { return lifecycle.Group(ctx, bot.Run) })
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *replica) stop(t *testing.T) {
	t.Helper()
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
		require.NoError(t, <-r.done)
	}
}

// TestOneIRCBotAcrossReplicas: of two replicas sharing the lock only one bot connects; stopping
// that replica makes the other connect.
func TestOneIRCBotAcrossReplicas(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.DB(t)
	srv := irctest.Start(t)
	a := startReplica(t, dbURL, srv.Addr)
	ctx, cancel := context.WithTimeout(t.Context(), irctest.WaitTimeout)
	defer cancel()
	require.NoError(t, a.bot.WaitConnected(ctx))
	b := startReplica(t, dbURL, srv.Addr)
	// b polls the lock every 50ms; over many of its polls it must neither lead nor connect.
	require.Never(t, func() bool { return b.elector.Leader() || b.bot.Connected() }, 500*time.Millisecond, 10*time.Millisecond)
	require.True(t, a.elector.Leader())

	a.stop(t)
	require.False(t, a.bot.Connected())
	require.NoError(t, b.bot.WaitConnected(ctx), "the standby connects once the leader stops")
	require.True(t, b.elector.Leader())
}
