package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"fmn/internal/deadletter"
	"fmn/internal/lifecycle"
	"fmn/internal/service"
	"fmn/internal/ssetoken"
	"fmn/internal/telemetry"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// Deps are the web app's collaborators.
type Deps = service.Deps

// Run serves until ctx ends.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	logger := deps.Logger.With("component", "web")
	now := deps.Clock()
	signer, err := ssetoken.NewSigner([]byte(cfg.SSESecret.Value()))
	if err != nil {
		return fmt.Errorf("sse tokens: %w", err)
	}
	muter, err := newMuter(cfg)
	if err != nil {
		return fmt.Errorf("mute tokens: %w", err)
	}
	pool, err := service.OpenDB(ctx, cfg.Postgres)
	if err != nil {
		return err
	}
	defer pool.Close()
	conn, err := service.DialBroker(cfg.AMQP, cfg.Topology, "fmn-web", deps, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	pub := conn.NewPublisher()
	defer pub.Close()

	relay := pgstore.NewRelay(pool, service.PrefsPublisher(pub, cfg.Topology.PrefsExchange, now), logger, cfg.RelayPoll)

	// The web app archives dead letters because it is the process that always has the database
	// and the broker (the backend opens Postgres only for email) and serves the API that lists
	// and re-drives them. Every replica archives: they share the dead-letter queue.
	dead := deadletter.NewStore(pool)
	archiver := deadletter.NewArchiver(deadletter.ArchiverConfig{Queue: cfg.Topology.DeadLetterQueue}, dead, conn, logger,
		deps.Registry, now, deps.BeforeAck)
	rpub := conn.NewPublisher() // its own: Publish calls on one Publisher are serialised
	defer rpub.Close()

	h := &handler{cfg: cfg, logger: logger, now: now, store: pgstore.New(pool, pgstore.WithDefaultFilters(defaultFilters(cfg))), signer: signer, muter: muter,
		dead: dead, redriver: deadletter.NewRedriver(dead, rpub, cfg.Topology),
		redriven: promauto.With(deps.Registry).NewCounter(prometheus.CounterOpts{
			Name: "fmn_deadletters_redriven_total", Help: "Dead letters re-driven to their original exchange (confirmed by the broker).",
		})}
	mux := http.NewServeMux()
	h.routes(mux)
	telemetry.Mount(mux, deps.Registry, telemetry.Checks{
		"broker":   telemetry.Flag(conn.Ready),
		"database": func(ctx context.Context) error { return pool.Ping(ctx) },
	})
	srv := telemetry.NewServer(securityHeaders(http.MaxBytesHandler(mux, maxBody)), logger)

	logger.InfoContext(ctx, "web started", "addr", cfg.HTTPAddr, "api_enabled", cfg.AdminToken.Value() != "")
	return lifecycle.Group(ctx,
		func(ctx context.Context) error { return telemetry.Serve(ctx, srv, cfg.HTTPAddr, deps.Ready) },
		relay.Run,
		archiver.Run,
	)
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// defaultFilters are the filters new users start with: the configured ones (an empty list gives
// none), or prefs.DefaultFilters when none are configured.
func defaultFilters(cfg Config) []rules.Filter {
	if cfg.DefaultFilters == nil {
		return prefs.DefaultFilters()
	}
	return cfg.DefaultFilters
}
