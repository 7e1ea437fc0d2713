package consumer

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"fmn/internal/archive"
	"fmn/internal/lifecycle"
	"fmn/internal/ownership"
	"fmn/internal/rabbit"
	"fmn/internal/service"
	"fmn/internal/telemetry"
	"fmn/pkg/prefs/pgstore"
)

// Deps are the consumer's collaborators.
type Deps = service.Deps

// Run consumes the bus until ctx ends: it opens Redis, the database and the broker, loads the
// identity aliases, and runs the metrics listener, the alias refresh, the forwarder and, unless
// archiving is off, the archiver and its retention.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	logger := deps.Logger.With("component", "consumer")
	m := newMetrics(deps.Registry)

	rdb, err := service.OpenRedis(cfg.Redis)
	if err != nil {
		return err
	}
	defer rdb.Close()
	pool, err := service.OpenDB(ctx, cfg.Postgres)
	if err != nil {
		return err
	}
	defer pool.Close()
	conn, err := service.DialBroker(cfg.AMQP, cfg.Topology, "fmn-consumer", deps, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	pub := conn.NewPublisher()
	defer pub.Close()

	al := newAliases(pool, logger, cfg.AliasRefresh)
	if err := al.load(ctx); err != nil {
		return err
	}
	j := jobs{cfg: cfg, logger: logger, now: deps.Clock(), m: m, conn: conn, pub: pub,
		decoder: &decoder{maxBody: cfg.MaxBodyBytes, publicURL: cfg.PublicURL, aliases: al}}
	srv := telemetry.NewServer(healthMux(deps, conn, rdb, pool), logger)

	logger.InfoContext(ctx, "consumer started", "queue", cfg.Topology.BusQueue, "batch", cfg.BatchSize)
	run := []func(context.Context) error{
		func(ctx context.Context) error { return telemetry.Serve(ctx, srv, cfg.MetricsAddr, deps.Ready) },
		al.run,
	}
	if cfg.Topology.ArchiveQueue != "" {
		a := j.archiver(pool)
		run = append(run, a.retain, a.run)
	}
	run = append(run, j.forwarder(rdb, pool, deps.BeforeAck).run)
	return lifecycle.Group(ctx, run...)
}

// healthMux serves /metrics, /healthz and /readyz, ready while the broker, Redis and the
// database are.
func healthMux(deps Deps, conn *rabbit.Conn, rdb *redis.Client, pool *pgxpool.Pool) *http.ServeMux {
	mux := http.NewServeMux()
	telemetry.Mount(mux, deps.Registry, telemetry.Checks{
		"broker":   telemetry.Flag(conn.Ready),
		"redis":    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		"database": func(ctx context.Context) error { return pool.Ping(ctx) },
	})
	return mux
}

// jobs is what the forwarder and the archiver share.
type jobs struct {
	cfg     Config
	logger  *slog.Logger
	now     func() time.Time
	m       *metrics
	conn    *rabbit.Conn
	pub     *rabbit.Publisher
	decoder *decoder
}

// forwarder returns the forwarder of cfg, with its dedup hint in rdb and its ownership writes
// in pool.
func (j *jobs) forwarder(rdb *redis.Client, pool *pgxpool.Pool, beforeAck func(context.Context)) *forwarder {
	rules := j.cfg.Ownership
	if rules == nil {
		rules = ownership.DefaultRules()
	}
	return &forwarder{
		conn: j.conn, pub: j.pub, topo: j.cfg.Topology, batchSize: j.cfg.BatchSize, linger: j.cfg.Linger,
		decoder: j.decoder, logger: j.logger, now: j.now, m: &j.m.forward, beforeAck: beforeAck,
		dedup:  &dedup{rdb: rdb, prefix: j.cfg.Redis.Prefix + "dedup:", ttl: j.cfg.DedupTTL},
		owners: &ownershipWriter{rules: rules, store: pgstore.New(pool), logger: j.logger, applied: j.m.ownership},
	}
}

// archiver returns the archiver of cfg, writing to the archive in pool.
func (j *jobs) archiver(pool *pgxpool.Pool) *archiver {
	return &archiver{
		conn: j.conn, pub: j.pub, store: archive.NewStore(pool, j.now), decoder: j.decoder,
		queue: j.cfg.Topology.ArchiveQueue, deadLetters: j.cfg.Topology.DeadLetterExchange,
		batch: j.cfg.ArchiveBatch, linger: j.cfg.ArchiveLinger, duty: j.cfg.ArchiveDuty, retention: j.cfg.ArchiveRetention,
		logger: j.logger, now: j.now, m: &j.m.archive,
	}
}
