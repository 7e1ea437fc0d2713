// Package web is fmn's web application, and this package its composition root: Run opens the
// database, the broker and Redis, starts the background jobs the web process owns (the
// preferences outbox relay, the dead-letter archiver, the queue-status sampler), builds the three
// faces on their collaborators and serves them behind the security middleware (protect.go), with
// health on the public listener and metrics on a listener of their own. routes.go is the one
// route table of every API route and page. The faces are packages of their own:
//
//   - auth: who is asking (sessions, API tokens, the admin token), the route wrappers that
//     authenticate, authorise and rate-limit every route, logging in and out;
//   - api: the JSON API (API.md), one file per resource;
//   - ui: the HTML pages, one file per page, with their templates and static files.
//
// What the API and the pages both do lives with the collaborator it wraps (confirm.Starter,
// preview.Runner, redrive, filterhits), so neither face copies the other.
package web

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"fmn/internal/confirm"
	"fmn/internal/deadletter"
	"fmn/internal/lifecycle"
	"fmn/internal/oidclogin"
	"fmn/internal/prefsbus"
	"fmn/internal/queuestatus"
	"fmn/internal/service"
	"fmn/internal/telemetry"
	"fmn/pkg/prefs/pgstore"
)

// apiDoc is the API's documentation, served at /api.
//
//go:embed API.md
var apiDoc string

// Deps are the web app's collaborators.
type Deps = service.Deps

// Run serves until ctx ends.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	logger := deps.Logger.With("component", "web")
	now := deps.Clock()
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

	relay := pgstore.NewRelay(pool, prefsbus.Publisher(pub, cfg.Topology.PrefsExchange, now), logger, cfg.RelayPoll)

	// The web app archives dead letters because it is the process that always has the database
	// and the broker (the backend opens Postgres only for email or IRC) and serves the API that lists
	// and re-drives them. Every replica archives: they share the dead-letter queue.
	archiver := deadletter.NewArchiver(deadletter.ArchiverConfig{Queue: cfg.Topology.DeadLetterQueue}, deadletter.NewStore(pool), conn, logger,
		deps.Registry, now, deps.BeforeAck)
	rpub := conn.NewPublisher() // its own: Publish calls on one Publisher are serialised
	defer rpub.Close()

	rdb, err := service.OpenRedis(cfg.Redis)
	if err != nil {
		return err
	}
	defer rdb.Close()
	warnUnpinnedAdmins(ctx, logger, cfg)
	if cfg.DevLogin {
		logger.WarnContext(ctx, "DEVELOPMENT LOGIN IS ON: anyone can log in as anyone (FMN_WEB_DEV_LOGIN)")
	}
	cpub := conn.NewPublisher() // confirmations: their own, so a slow broker confirm does not hold re-drives
	defer cpub.Close()
	b := backing{pool: pool, rdb: rdb, redrivePub: rpub}
	if b.confirmations, err = confirm.NewSender(cpub, cfg.Topology, cfg.PublicURL, now); err != nil {
		return err
	}
	if b.status, err = queuestatus.New(cfg.Status, cfg.Topology, queuestatus.Deps{Conn: conn, Logger: logger, Registerer: deps.Registry}); err != nil {
		return fmt.Errorf("queue status: %w", err)
	}
	if cfg.OIDC.Enabled() {
		if b.oidc, err = oidclogin.New(ctx, cfg.OIDC); err != nil {
			return fmt.Errorf("openid provider: %w", err)
		}
	}
	s, err := newSite(cfg, deps, logger, b)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	s.routes(mux)
	checks := telemetry.Checks{
		"broker":   telemetry.Flag(conn.Ready),
		"database": func(ctx context.Context) error { return pool.Ping(ctx) },
	}
	telemetry.MountHealth(mux, checks) // /metrics only on the metrics listener, never the public one
	srv := telemetry.NewServer(s.protect(mux), logger)
	msrv := telemetry.NewServer(telemetry.MetricsHandler(deps.Registry, checks), logger)

	logger.InfoContext(ctx, "web started", "addr", cfg.HTTPAddr, "metrics_addr", cfg.MetricsAddr, "admin_token", cfg.AdminToken.Value() != "")
	return lifecycle.Group(ctx,
		func(ctx context.Context) error { return telemetry.Serve(ctx, srv, cfg.HTTPAddr, deps.Ready) },
		func(ctx context.Context) error { return telemetry.Serve(ctx, msrv, cfg.MetricsAddr, deps.MetricsReady) },
		relay.Run,
		archiver.Run,
		b.status.Run,
	)
}

// warnUnpinnedAdmins logs the FMN_WEB_ADMINS entries that will make nobody an administrator
// through the OpenID provider: plain names, where the provider does not guarantee them.
func warnUnpinnedAdmins(ctx context.Context, logger *slog.Logger, cfg Config) {
	if !cfg.OIDC.Enabled() || cfg.OIDC.UsernameUnique {
		return
	}
	for _, a := range cfg.Admins {
		if !strings.Contains(a, "=") {
			logger.WarnContext(ctx, "FMN_WEB_ADMINS names an administrator without a subject, and FMN_OIDC_USERNAME_UNIQUE is off: "+
				"logging in with that name does not make an administrator; write name=subject", "user", a)
		}
	}
}
