// Package service holds what fmn's four processes share when they start and when they settle a
// batch: their collaborators (Deps), the broker connection, and the rule that a batch is acked
// only after its effect is durable.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"fmn/internal/backoff"
	"fmn/internal/config"
	"fmn/internal/rabbit"
	"fmn/internal/wire"
	"fmn/migrations"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// Deps are a process's collaborators.
type Deps struct {
	Logger   *slog.Logger
	Registry *prometheus.Registry
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Ready, if set, receives the address of the process's HTTP listener once it listens.
	Ready func(net.Addr)
	// MetricsReady, if set, receives the address of the metrics listener of a process that
	// serves /metrics apart from its public listener (the web app and the backend) once it
	// listens.
	MetricsReady func(net.Addr)
	// BeforeAck, if set, runs after a batch's effect is durable and before the batch is acked.
	// Tests stop a process there; a batch whose context has ended by then is left unacked, to be
	// redelivered.
	BeforeAck func(ctx context.Context)
}

// Clock returns Now, or time.Now.
func (d Deps) Clock() func() time.Time {
	if d.Now == nil {
		return time.Now
	}
	return d.Now
}

// DialBroker connects to the broker, declaring topo on every (re)connect.
func DialBroker(a config.AMQP, topo rabbit.Topology, name string, d Deps, logger *slog.Logger) (*rabbit.Conn, error) {
	conn, err := rabbit.Dial(rabbit.Config{URL: string(a.URL), Setup: topo.Declare, ConnectionName: name},
		rabbit.Deps{Logger: logger, Registerer: d.Registry})
	if err != nil {
		return nil, fmt.Errorf("broker: %w", err)
	}
	return conn, nil
}

// Settle makes a batch's effect durable and then acks the batch. effect is retried with backoff
// until it succeeds (onRetry sees each failure), because requeueing would count against the
// queue's delivery limit during a broker or database hiccup. If ctx ends first, the batch is left
// unacked and the broker redelivers it; downstream ids make the repeat harmless.
func Settle(ctx context.Context, batch []amqp.Delivery, effect func(ctx context.Context) error,
	onRetry func(attempt int, err error), beforeAck func(context.Context)) {
	if err := backoff.Default().Retry(ctx, effect, onRetry); err != nil {
		return
	}
	if beforeAck != nil {
		beforeAck(ctx)
	}
	if ctx.Err() != nil {
		return
	}
	if len(batch) > 0 {
		// One ack for the whole batch (multiple): a batch from ConsumeBatches comes off one
		// channel in delivery order and is settled before the next is handed over, so every
		// delivery outstanding up to its last tag is in it. A failed ack means a lost channel:
		// the broker redelivers.
		_ = batch[len(batch)-1].Ack(true)
	}
}

// Reject hands every delivery of a batch to the queue's dead-letter exchange. It is for batches
// that can never succeed.
func Reject(batch []amqp.Delivery) {
	for _, d := range batch {
		_ = d.Nack(false, false)
	}
}

// PrefsPublisher returns the function the outbox relay publishes preference changes with: one
// confirmed batch on the prefs fanout. A change nobody listens for (no worker is running) is not
// an error: a worker that starts loads everything.
func PrefsPublisher(pub *rabbit.Publisher, exchange string, now func() time.Time) pgstore.PublishFunc {
	return func(ctx context.Context, changes []prefs.Change) error {
		out := make([]rabbit.Outgoing, 0, len(changes))
		for _, c := range changes {
			body, err := wire.Encode(&wire.PrefsChange{Change: c})
			if err != nil {
				return err
			}
			out = append(out, rabbit.Outgoing{Exchange: exchange, Msg: amqp.Publishing{
				ContentType: wire.ContentType, Type: wire.TypePrefsChange, Timestamp: now(), Body: body,
			}})
		}
		err := pub.Publish(ctx, out...)
		if errors.Is(err, rabbit.ErrUnroutable) {
			return nil
		}
		return err
	}
}

// OpenDB opens the database pool and refuses a schema that is not this binary's.
func OpenDB(ctx context.Context, pg config.Postgres) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(string(pg.URL))
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err) // pgx's error does not repeat the password
	}
	if pg.MaxConns > 0 {
		pc.MaxConns = int32(pg.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := migrations.Check(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// OpenRedis returns a client for the configured Redis. It does not connect yet: go-redis dials
// on first use, and reconnects by itself.
func OpenRedis(cfg config.Redis) (*redis.Client, error) {
	opts, err := redis.ParseURL(string(cfg.URL))
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err) // ParseURL's errors do not repeat the URL
	}
	return redis.NewClient(opts), nil
}
