// Package worker matches work items against every user's filters and publishes the resulting
// notifications: a batch of work items' notifications per channel, in AMQP messages of at most
// Config.MaxNotifications. It keeps all preferences compiled in memory, patches in the users a
// preference-change event names, and reloads after a broker reconnect when the database is ahead,
// so no change is missed. Workers are stateless replicas: run as many as needed.
package worker

import (
	"time"

	"fmn/internal/config"
	"fmn/internal/rabbit"
	"fmn/pkg/prefs"
)

// Defaults.
const (
	DefaultMetricsAddr = "127.0.0.1:9102"
	// DefaultPrefetch is how many work items a worker holds unacked (each holds up to the
	// consumer's batch size of messages).
	DefaultPrefetch = 8
	// DefaultMaxBatch is how many work items are handled, and their notifications confirmed,
	// together.
	DefaultMaxBatch = 4
	// DefaultLinger is the wait for a batch of work items to fill.
	DefaultLinger = 2 * time.Millisecond
	// DefaultMaxNotifications bounds the notifications of one AMQP message to a backend (a
	// batch's notifications for one channel go together, split at this size).
	DefaultMaxNotifications = 500
)

// Config is the worker's configuration.
type Config struct {
	AMQP     config.AMQP
	Postgres config.Postgres
	Log      config.Log
	// Redis keeps the filters' daily hit counts (best effort: matching goes on without it).
	Redis    config.Redis
	Topology rabbit.Topology
	// MetricsAddr serves /metrics, /healthz, /readyz (FMN_WORKER_METRICS_ADDR).
	MetricsAddr string
	// Batch: work items held unacked, handled together, and the wait for a batch to fill
	// (FMN_WORKER_PREFETCH, FMN_WORKER_BATCH, FMN_WORKER_LINGER).
	Batch config.Batch
	// MaxNotifications is the most notifications one AMQP message to a backend carries
	// (FMN_WORKER_MAX_NOTIFICATIONS).
	MaxNotifications int
	// Quotas are the web app's per-user quotas (config.ReadQuotas, the same variables): the
	// filter quotas are the budget stored filters are matched within.
	Quotas prefs.Quotas
}

// LoadConfig reads the configuration from the environment.
func LoadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.NewReader(lookup)
	c := Config{
		AMQP:        config.ReadAMQP(r),
		Postgres:    config.ReadPostgres(r),
		Log:         config.ReadLog(r),
		Redis:       config.ReadRedis(r),
		MetricsAddr: r.String("FMN_WORKER_METRICS_ADDR", DefaultMetricsAddr),
		Batch:       config.ReadBatch(r, "FMN_WORKER", config.Batch{Prefetch: DefaultPrefetch, MaxBatch: DefaultMaxBatch, Linger: DefaultLinger}),
		Quotas:      config.ReadQuotas(r),
	}
	c.MaxNotifications = r.Int("FMN_WORKER_MAX_NOTIFICATIONS", DefaultMaxNotifications)
	if c.MaxNotifications < 1 {
		r.Fail("FMN_WORKER_MAX_NOTIFICATIONS", "must be at least 1")
	}
	c.Topology = config.ReadTopology(r, c.AMQP)
	return c, r.Err()
}
