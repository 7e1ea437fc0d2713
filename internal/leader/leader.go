// Package leader elects one process among replicas with a PostgreSQL session-level advisory lock
// (pg_try_advisory_lock) held on a dedicated connection: the holder leads while the connection
// lives; when the holder stops, or its session dies, the lock is released and a standby that tries
// again takes over.
//
// The holder checks its connection every Poll and stops leading when the check fails, so a holder
// cut off from the database steps down; the database ends a dead session when its TCP connection
// times out, and only then can a standby take the lock.
package leader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPoll is how often a standby tries the lock and the holder checks its connection.
const DefaultPoll = 5 * time.Second

// Elector takes part in one election.
type Elector struct {
	url    string
	key    int64
	poll   time.Duration
	logger *slog.Logger
	leader atomic.Bool
}

// New returns an elector for the lock key in the database at url; poll <= 0 means DefaultPoll.
func New(url string, key int64, poll time.Duration, logger *slog.Logger) *Elector {
	if poll <= 0 {
		poll = DefaultPoll
	}
	return &Elector{url: url, key: key, poll: poll, logger: logger}
}

// Leader reports whether this process holds the lock now.
func (e *Elector) Leader() bool { return e.leader.Load() }

// Run takes part in the election until ctx ends, calling lead while it holds the lock; lead's
// context ends when the lock is lost or ctx ends. Run returns nil when ctx ends, and lead's error
// if lead fails while leading.
func (e *Elector) Run(ctx context.Context, lead func(context.Context) error) error {
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, e.url)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			e.logger.WarnContext(ctx, "leader election: connect to the database; retrying", "error", err)
			if !e.wait(ctx) {
				break
			}
			continue
		}
		err = e.withConn(ctx, conn, lead)
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = conn.Close(closeCtx) // ends the session: the lock is released
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

// errLost ends withConn when the connection fails: the caller reconnects.
var errLost = errors.New("lock connection lost")

// withConn tries the lock on conn every poll and leads while holding it. It returns nil when ctx
// ends or conn fails, and lead's error.
func (e *Elector) withConn(ctx context.Context, conn *pgx.Conn, lead func(context.Context) error) error {
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", e.key).Scan(&got); err != nil {
			if ctx.Err() == nil {
				e.logger.WarnContext(ctx, "leader election: try the lock; reconnecting", "error", err)
				e.wait(ctx)
			}
			return nil
		}
		if got {
			err := e.hold(ctx, conn, lead)
			if errors.Is(err, errLost) {
				e.logger.WarnContext(ctx, "leader election: lost the lock connection; stepping down")
				return nil
			}
			return err
		}
		if !e.wait(ctx) {
			return nil
		}
	}
}

// hold leads while conn answers.
func (e *Elector) hold(ctx context.Context, conn *pgx.Conn, lead func(context.Context) error) error {
	e.leader.Store(true)
	defer e.leader.Store(false)
	e.logger.InfoContext(ctx, "leader election: leading")
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- lead(lctx) }()
	ticker := time.NewTicker(e.poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = errors.New("returned")
			}
			return fmt.Errorf("lead: %w", err)
		case <-ticker.C:
			pctx, pcancel := context.WithTimeout(ctx, e.poll)
			err := conn.Ping(pctx)
			pcancel()
			if err != nil && ctx.Err() == nil {
				cancel()
				<-done
				return errLost
			}
		}
	}
}

// wait waits one poll interval; false when ctx ended first.
func (e *Elector) wait(ctx context.Context) bool {
	t := time.NewTimer(e.poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
