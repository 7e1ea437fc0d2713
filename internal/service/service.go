// Package service holds what fmn's four processes share when they start: their collaborators
// (Deps), and opening the broker connection, the database pool (refusing a schema that is not
// this binary's) and the Redis client.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"fmn/internal/config"
	"fmn/internal/rabbit"
	"fmn/migrations"
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
