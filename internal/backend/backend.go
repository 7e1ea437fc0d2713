// Package backend delivers notifications.
//
// SSE: it appends each notification to its user's Redis stream (once, whatever the redeliveries)
// and serves GET /stream to browsers.
//
// Email (when FMN_SMTP_ADDR is set): it consumes the email queue and, per notification, checks
// the delivery ledger (Postgres), sends over one reused SMTP connection, and records the
// outcome. Temporary failures are retried through delay queues with growing TTLs, permanent ones
// and exhausted retries are dead-lettered with the reason (see deliverer).
//
// IRC (when FMN_IRC_SERVER is set): the same deliverer drives the IRC bot (notify/irc). Exactly
// one backend replica, the holder of a Postgres advisory lock (package leader), connects the bot
// and consumes the IRC queue; the others stand by and take over when it stops.
package backend

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/config"
	"fmn/internal/deadletter/letter"
	"fmn/internal/lifecycle"
	"fmn/internal/notify/sse"
	"fmn/internal/rabbit"
	"fmn/internal/service"
	"fmn/internal/settle"
	"fmn/internal/ssetoken"
	"fmn/internal/telemetry"
	"fmn/internal/wire"
)

// Defaults.
const (
	DefaultHTTPAddr = "127.0.0.1:8082"
	// DefaultMetricsAddr is on loopback: metrics are for the operator's scraper, not the public.
	DefaultMetricsAddr = "127.0.0.1:9105"
	// DefaultPrefetch and DefaultMaxBatch: notification batches handled, and their Redis writes
	// pipelined, together.
	DefaultPrefetch = 64
	DefaultMaxBatch = 32
	DefaultLinger   = 2 * time.Millisecond
)

// Config is the backend's configuration.
type Config struct {
	AMQP  config.AMQP
	Redis config.Redis
	// Postgres holds the delivery ledger; it is opened only when email or IRC is enabled, and the
	// backend refuses to start on an out-of-date schema (FMN_DATABASE_URL).
	Postgres config.Postgres
	// Email configures email delivery; disabled when its SMTPAddr is empty.
	Email EmailConfig
	// IRC configures IRC delivery; disabled when its Server is empty.
	IRC      IRCConfig
	Log      config.Log
	Topology rabbit.Topology
	// HTTPAddr is the public listener: /stream, /healthz, /readyz (FMN_BACKEND_ADDR).
	HTTPAddr string
	// MetricsAddr serves /metrics, /healthz and /readyz, apart from the public listener
	// (FMN_BACKEND_METRICS_ADDR, default 127.0.0.1:9105).
	MetricsAddr string
	// SSESecret verifies stream tokens; shared with the web app (FMN_SSE_SECRET or _FILE).
	SSESecret config.Secret
	// Batch: SSE notification batches held unacked, stored together, and the wait for a batch
	// to fill (FMN_BACKEND_PREFETCH, FMN_BACKEND_BATCH, FMN_BACKEND_LINGER).
	Batch config.Batch
	// Heartbeat is the SSE keep-alive interval (FMN_SSE_HEARTBEAT).
	Heartbeat time.Duration
	// MaxConnsPerUser caps a user's streams per replica (FMN_SSE_MAX_CONNS_PER_USER).
	MaxConnsPerUser int
	// SSEAllowedOrigins are the web pages that may open streams from a browser (the web app's
	// public URL, for its Live page): FMN_SSE_ALLOWED_ORIGINS, comma-separated; by default the
	// origin of FMN_PUBLIC_URL.
	SSEAllowedOrigins []string
	// StreamMaxLen bounds each user's replay stream (FMN_SSE_STREAM_MAX_LEN).
	StreamMaxLen int
	// StreamTTL expires an idle user's replay stream (FMN_SSE_STREAM_TTL).
	StreamTTL time.Duration
}

// LoadConfig reads the configuration from the environment.
func LoadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.NewReader(lookup)
	c := Config{
		AMQP:              config.ReadAMQP(r),
		Redis:             config.ReadRedis(r),
		Postgres:          config.ReadPostgres(r),
		Email:             readEmailConfig(r),
		IRC:               readIRCConfig(r),
		Log:               config.ReadLog(r),
		HTTPAddr:          r.String("FMN_BACKEND_ADDR", DefaultHTTPAddr),
		MetricsAddr:       r.String("FMN_BACKEND_METRICS_ADDR", DefaultMetricsAddr),
		SSESecret:         r.Secret("FMN_SSE_SECRET", ""),
		Batch:             config.ReadBatch(r, "FMN_BACKEND", config.Batch{Prefetch: DefaultPrefetch, MaxBatch: DefaultMaxBatch, Linger: DefaultLinger}),
		Heartbeat:         r.Duration("FMN_SSE_HEARTBEAT", sse.DefaultHeartbeat),
		MaxConnsPerUser:   r.Int("FMN_SSE_MAX_CONNS_PER_USER", sse.DefaultMaxConnsPerUser),
		SSEAllowedOrigins: r.List("FMN_SSE_ALLOWED_ORIGINS", originOf(r.String("FMN_PUBLIC_URL", ""))),
		StreamMaxLen:      r.Int("FMN_SSE_STREAM_MAX_LEN", sse.DefaultMaxLen),
		StreamTTL:         r.Duration("FMN_SSE_STREAM_TTL", sse.DefaultTTL),
	}
	c.Topology = config.ReadTopology(r, c.AMQP)
	// The backend's secrets: no placeholder, at least 32 bytes, not the same as each other. The
	// mute secret is required only with email (readEmailConfig says so); set, it is checked.
	r.CheckSecrets(
		config.SecretSpec{Key: "FMN_SSE_SECRET", Value: c.SSESecret, Required: true, Why: "shared with the web app"},
		config.SecretSpec{Key: "FMN_MUTE_SECRET", Value: c.Email.MuteSecret},
	)
	return c, r.Err()
}

// Deps are the backend's collaborators.
type Deps = service.Deps

// Outcomes of a delivery (the outcome label of fmn_backend_deliveries_total).
const (
	outcomeSent            = "sent"             // delivered now
	outcomeDeduped         = "deduped"          // delivered before (ledger, or SSE stream id): dropped
	outcomeRetried         = "retried"          // temporary failure: sent to a delay queue, or SSE store retry
	outcomeFailedPermanent = "failed_permanent" // refused for good: dead-lettered
	outcomeDead            = "dead"             // temporary failures outlasted every retry: dead-lettered
)

type metrics struct {
	flooded     *prometheus.CounterVec
	delivered   *prometheus.CounterVec
	malformed   prometheus.Counter
	sendSeconds *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		flooded: f.NewCounterVec(prometheus.CounterOpts{Name: "fmn_backend_flood_digested_total",
			Help: "Notifications held for a digest because their destination was flooded (over the flood limit of its window), by channel."}, []string{"channel"}),
		delivered: f.NewCounterVec(prometheus.CounterOpts{Name: "fmn_backend_deliveries_total", Help: "Notifications handled, by channel and outcome."}, []string{"channel", "outcome"}),
		malformed: f.NewCounter(prometheus.CounterOpts{Name: "fmn_backend_malformed_total", Help: "Notification batches dead-lettered as undecodable."}),
		sendSeconds: f.NewHistogramVec(prometheus.HistogramOpts{
			Name: "fmn_backend_send_duration_seconds", Help: "Time to send one notification (email: one SMTP transaction, connecting included), by channel.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"channel"}),
	}
}

// Run delivers until ctx ends.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	logger := deps.Logger.With("component", "backend")
	now := deps.Clock()
	m := newMetrics(deps.Registry)
	signer, err := ssetoken.NewSigner([]byte(cfg.SSESecret.Value()))
	if err != nil {
		return fmt.Errorf("sse tokens: %w", err)
	}
	rdb, err := service.OpenRedis(cfg.Redis)
	if err != nil {
		return err
	}
	defer rdb.Close()
	store := sse.NewStore(rdb, sse.StoreConfig{Prefix: cfg.Redis.Prefix, MaxLen: int64(cfg.StreamMaxLen), TTL: cfg.StreamTTL})
	hub := sse.NewHub(rdb, store.Channel(), logger)
	stream := sse.NewHandler(store, hub, signer, sse.HandlerConfig{Heartbeat: cfg.Heartbeat, MaxConnsPerUser: cfg.MaxConnsPerUser,
		AllowedOrigins: cfg.SSEAllowedOrigins},
		logger, deps.Registry, now)

	topo := cfg.Topology
	var em *emailDelivery
	if cfg.Email.Enabled() {
		em, err = openEmail(ctx, cfg, deps, logger, m, rdb)
		if err != nil {
			return err
		}
		defer em.close()
		topo = topo.WithRetryDelays(ChannelEmail, cfg.Email.RetryDelays)
	}

	var ir *ircDelivery
	if cfg.IRC.Enabled() {
		ir, err = openIRC(ctx, cfg, deps, logger, m)
		if err != nil {
			return err
		}
		defer ir.close()
		topo = topo.WithRetryDelays(ChannelIRC, cfg.IRC.RetryDelays)
	}

	conn, err := service.DialBroker(cfg.AMQP, topo, "fmn-backend", deps, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	pub := conn.NewPublisher()
	defer pub.Close()

	checks := telemetry.Checks{
		"broker": telemetry.Flag(conn.Ready),
		"redis":  store.Ping,
	}
	b := &sseDeliverer{cfg: cfg, logger: logger, now: now, m: m, store: store, pub: pub, beforeAck: deps.BeforeAck}
	parts := []func(ctx context.Context) error{
		hub.Run,
		func(ctx context.Context) error {
			return conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
				Queue: cfg.Topology.DeliverQueues[ChannelSSE], Prefetch: cfg.Batch.Prefetch, MaxBatch: cfg.Batch.MaxBatch, Linger: cfg.Batch.Linger,
			}, b.handle)
		},
	}

	if em != nil {
		checks["database"] = em.ledger.Ping
		checks["smtp"] = em.notifier.Check
		epub := conn.NewPublisher() // its own: Publish calls on one Publisher are serialised
		defer epub.Close()
		parts = append(parts, em.consume(conn, epub, topo), em.scheduler())
	} else {
		logger.InfoContext(ctx, "email delivery disabled: FMN_SMTP_ADDR is not set")
	}

	if ir != nil {
		checks["irc"] = ir.check
		if em == nil {
			checks["database"] = ir.ledger.Ping
		}
		ipub := conn.NewPublisher()
		defer ipub.Close()
		parts = append(parts, ir.run(conn, ipub, topo))
	} else {
		logger.InfoContext(ctx, "irc delivery disabled: FMN_IRC_SERVER is not set")
	}

	mux := http.NewServeMux()
	mux.Handle("GET /stream", stream)
	telemetry.MountHealth(mux, checks) // /metrics only on the metrics listener, never the public one
	// The server's WriteTimeout does not end streams: the stream handler sets its own deadline
	// before each write (see telemetry.DefaultWriteTimeout).
	srv := telemetry.NewServer(mux, logger)
	srv.RegisterOnShutdown(stream.Close) // open streams would hold Shutdown until its timeout
	msrv := telemetry.NewServer(telemetry.MetricsHandler(deps.Registry, checks), logger)
	parts = append(parts,
		func(ctx context.Context) error { return telemetry.Serve(ctx, srv, cfg.HTTPAddr, deps.Ready) },
		func(ctx context.Context) error { return telemetry.Serve(ctx, msrv, cfg.MetricsAddr, deps.MetricsReady) })

	logger.InfoContext(ctx, "backend started", "addr", cfg.HTTPAddr, "metrics_addr", cfg.MetricsAddr, "email", cfg.Email.Enabled(), "irc", cfg.IRC.Enabled())
	return lifecycle.Group(ctx, parts...)
}

// ChannelSSE is the notification channel (and routing key) of SSE.
const ChannelSSE = "sse"

type sseDeliverer struct {
	cfg       Config
	logger    *slog.Logger
	now       func() time.Time
	m         *metrics
	store     *sse.Store
	pub       *rabbit.Publisher
	beforeAck func(context.Context)
}

// handle stores a batch of SSE notification batches in one Redis pipeline, then acks them.
func (b *sseDeliverer) handle(ctx context.Context, batch []amqp.Delivery) {
	var ns []wire.Notification
	var dead []rabbit.Outgoing
	for _, d := range batch {
		nb, err := wire.DecodeNotifications(d.Body)
		if err != nil {
			b.m.malformed.Inc()
			b.logger.ErrorContext(ctx, "undecodable notification batch dead-lettered", "error", err)
			dead = append(dead, letter.For(b.cfg.Topology.DeadLetterExchange, d, "backend-sse", err.Error(), b.now()))
			continue
		}
		ns = append(ns, nb.Notifications...)
	}
	settle.Batch(ctx, batch, func(ctx context.Context) error {
		if err := b.pub.Publish(ctx, dead...); err != nil {
			return err
		}
		dead = nil
		added, err := b.store.Append(ctx, ns)
		if err != nil {
			return err
		}
		b.m.delivered.WithLabelValues(ChannelSSE, outcomeSent).Add(float64(added))
		b.m.delivered.WithLabelValues(ChannelSSE, outcomeDeduped).Add(float64(len(ns) - added))
		return nil
	}, func(attempt int, err error) {
		b.m.delivered.WithLabelValues(ChannelSSE, outcomeRetried).Add(float64(len(ns)))
		if attempt == 0 {
			b.logger.WarnContext(ctx, "store sse notifications; retrying", "error", err)
		}
	}, b.beforeAck)
}

// originOf returns the origin ("https://host:port") of a URL as a one-item list, or nil when raw
// is not an absolute http(s) URL.
func originOf(raw string) []string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}
