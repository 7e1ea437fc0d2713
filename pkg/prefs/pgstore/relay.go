package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmn/pkg/prefs"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// NotifyChannel is the LISTEN/NOTIFY channel that wakes the relay after a write.
const NotifyChannel = "fmn_prefs_outbox"

// relayLockKey is the advisory lock that makes one relay at a time publish.
const relayLockKey = 0x666d6e72 // "fmnr"

// Relay defaults.
const (
	// DefaultRelayPoll is how often the relay looks at the outbox when no NOTIFY woke it (a NOTIFY
	// can be missed while the relay reconnects).
	DefaultRelayPoll = time.Second
	relayBatch       = 500
)

// PublishFunc publishes preference changes with confirms; it returns nil only once the broker
// has them all.
type PublishFunc func(ctx context.Context, changes []prefs.Change) error

// Relay publishes the outbox to the prefs exchange. Any number of relays may run; an advisory lock
// lets one at a time work.
type Relay struct {
	pool    *pgxpool.Pool
	publish PublishFunc
	logger  *slog.Logger
	poll    time.Duration
}

// NewRelay returns a relay. poll <= 0 means DefaultRelayPoll.
func NewRelay(pool *pgxpool.Pool, publish PublishFunc, logger *slog.Logger, poll time.Duration) *Relay {
	if poll <= 0 {
		poll = DefaultRelayPoll
	}
	return &Relay{pool: pool, publish: publish, logger: logger.With("component", "outbox_relay"), poll: poll}
}

// Run relays until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	for {
		err := r.lead(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			r.logger.WarnContext(ctx, "outbox relay interrupted", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(r.poll):
		}
	}
}

// lead takes the lock if it can and relays while it holds it.
func (r *Relay) lead(ctx context.Context) error {
	pooled, err := r.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire: %w", err)
	}
	// The session lock dies with the connection, so never hand this one back to the pool.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", relayLockKey).Scan(&got); err != nil {
		return fmt.Errorf("try lock: %w", err)
	}
	if !got {
		return nil
	}
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	for {
		for {
			n, err := r.drain(ctx)
			if err != nil {
				return err
			}
			if n < relayBatch {
				break
			}
		}
		wctx, cancel := context.WithTimeout(ctx, r.poll)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("wait for notification: %w", err)
		}
	}
}

// drain publishes up to one batch of outbox rows and deletes them once confirmed.
func (r *Relay) drain(ctx context.Context) (int, error) {
	rows, err := r.pool.Query(ctx, `SELECT id, payload FROM prefs_outbox ORDER BY id LIMIT $1`, relayBatch)
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	var changes []prefs.Change
	var id int64
	var payload []byte
	for rows.Next() {
		if err := rows.Scan(&id, &payload); err != nil {
			rows.Close()
			return 0, fmt.Errorf("scan outbox: %w", err)
		}
		c := prefs.Change{Version: id}
		if err := json.Unmarshal(payload, &c); err != nil {
			r.logger.ErrorContext(ctx, "undecodable outbox row; publishing a full-reload change", "version", id, "error", err)
			c.User = ""
		}
		c.Version = id
		changes = append(changes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	if len(changes) == 0 {
		return 0, nil
	}
	if err := r.publish(ctx, changes); err != nil {
		return 0, fmt.Errorf("publish %d changes: %w", len(changes), err)
	}
	last := changes[len(changes)-1].Version
	if _, err := r.pool.Exec(ctx, `DELETE FROM prefs_outbox WHERE id <= $1`, last); err != nil {
		return 0, fmt.Errorf("delete relayed outbox rows: %w", err)
	}
	return len(changes), nil
}
