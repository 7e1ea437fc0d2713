package consumer

import (
	"net/url"
	"strings"
	"time"

	"fmn/internal/config"
	"fmn/internal/ownership"
	"fmn/internal/rabbit"
	"fmn/pkg/message"
)

// Defaults.
const (
	DefaultMetricsAddr = "127.0.0.1:9101"
	// DefaultBatchSize is how many bus messages go in one work item: enough to amortise the
	// broker's per-message cost, small enough that one slow item does not hold up many.
	DefaultBatchSize = 64
	// DefaultLinger is how long a batch waits to fill after its first message.
	DefaultLinger = 5 * time.Millisecond
	// DefaultDedupTTL is how long a message id is remembered; bus redeliveries and replays of the
	// same message happen within hours.
	DefaultDedupTTL = 24 * time.Hour
	// DefaultArchiveBatch and DefaultArchiveLinger make the archiver's transactions big: a
	// message's archiving is not on the way to its delivery, so it can wait for company.
	DefaultArchiveBatch  = 500
	DefaultArchiveLinger = 200 * time.Millisecond
	// DefaultArchiveDuty keeps the archiver from slowing the pipeline when they share a machine
	// with the database (BENCHMARKS.md: at 0.25 the pipeline drains as fast as without archiving,
	// and the archive still takes 2,600 messages/s on 2 cores, hundreds of times the bus's rate).
	DefaultArchiveDuty = 0.25
)

// Config is the consumer's configuration.
type Config struct {
	AMQP  config.AMQP
	Redis config.Redis
	// Postgres holds ownership and memberships, which bus events change.
	Postgres config.Postgres
	// Ownership says which topics change ownership or membership (FMN_OWNERSHIP_TOPICS; see
	// internal/ownership).
	Ownership *ownership.Rules
	Log       config.Log
	// Topology names the queues; built from AMQP.Prefix and the bus settings.
	Topology rabbit.Topology
	// MetricsAddr serves /metrics, /healthz, /readyz (FMN_CONSUMER_METRICS_ADDR).
	MetricsAddr string
	// MaxBodyBytes refuses larger bus messages (FMN_MAX_MESSAGE_BYTES, default 1 MiB).
	MaxBodyBytes int
	// PublicURL is the web app's public base URL (FMN_PUBLIC_URL, optional): a message whose
	// producer names no page to open links to its entry in the message history there.
	PublicURL string
	// BatchSize is bus messages per work item (FMN_CONSUMER_BATCH).
	BatchSize int
	// Linger is the wait for a batch to fill (FMN_CONSUMER_LINGER).
	Linger time.Duration
	// DedupTTL is how long message ids are remembered (FMN_DEDUP_TTL).
	DedupTTL time.Duration
	// ArchiveBatch is how many messages the archiver writes in one transaction, and its wait for
	// a batch to fill (FMN_ARCHIVE_BATCH, FMN_ARCHIVE_LINGER). Archiving itself is on unless
	// FMN_ARCHIVE=false, which empties Topology.ArchiveQueue.
	ArchiveBatch  int
	ArchiveLinger time.Duration
	// ArchiveDuty is the share of its time the archiver may work (FMN_ARCHIVE_DUTY, above 0 and
	// at most 1; default DefaultArchiveDuty). Below 1 it rests between batches, leaving the CPU
	// to the pipeline during bursts; the archive then lags and catches up.
	ArchiveDuty float64
	// ArchiveRetention detaches archive weeks older than this (FMN_ARCHIVE_RETENTION; 0 keeps
	// everything).
	ArchiveRetention time.Duration
	// AliasRefresh is how often the identity aliases (confirmed e-mail addresses and IRC nicks)
	// are reread (FMN_ALIAS_REFRESH, default DefaultAliasRefresh).
	AliasRefresh time.Duration
}

// LoadConfig reads the configuration from the environment.
func LoadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.NewReader(lookup)
	c := Config{
		AMQP:             config.ReadAMQP(r),
		Redis:            config.ReadRedis(r),
		Postgres:         config.ReadPostgres(r),
		Log:              config.ReadLog(r),
		MetricsAddr:      r.String("FMN_CONSUMER_METRICS_ADDR", DefaultMetricsAddr),
		MaxBodyBytes:     r.Int("FMN_MAX_MESSAGE_BYTES", message.DefaultMaxBodyBytes),
		BatchSize:        r.Int("FMN_CONSUMER_BATCH", DefaultBatchSize),
		Linger:           r.Duration("FMN_CONSUMER_LINGER", DefaultLinger),
		DedupTTL:         r.Duration("FMN_DEDUP_TTL", DefaultDedupTTL),
		AliasRefresh:     r.Duration("FMN_ALIAS_REFRESH", DefaultAliasRefresh),
		ArchiveBatch:     r.Int("FMN_ARCHIVE_BATCH", DefaultArchiveBatch),
		ArchiveLinger:    r.Duration("FMN_ARCHIVE_LINGER", DefaultArchiveLinger),
		ArchiveDuty:      r.Float("FMN_ARCHIVE_DUTY", DefaultArchiveDuty),
		ArchiveRetention: r.Duration("FMN_ARCHIVE_RETENTION", 0),
		PublicURL:        strings.TrimRight(r.String("FMN_PUBLIC_URL", ""), "/"),
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.Fail("FMN_PUBLIC_URL", "must be the web app's http(s) base URL, such as https://notifications.example.org")
		}
	}
	if c.ArchiveDuty <= 0 || c.ArchiveDuty > 1 {
		r.Fail("FMN_ARCHIVE_DUTY", "must be a share of time above 0 and at most 1, such as 0.3")
	}
	c.Topology = config.ReadTopology(r, c.AMQP)
	var err error
	if c.Ownership, err = ownership.FromEnv(lookup); err != nil {
		r.Fail("FMN_OWNERSHIP_TOPICS", "%v", err)
	}
	if c.BatchSize < 1 || c.BatchSize > 1000 {
		r.Fail("FMN_CONSUMER_BATCH", "must be between 1 and 1000")
	}
	if c.MaxBodyBytes < 1024 {
		r.Fail("FMN_MAX_MESSAGE_BYTES", "must be at least 1024")
	}
	return c, r.Err()
}
