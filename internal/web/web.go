package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"fmn/internal/archive"
	"fmn/internal/confirm"
	"fmn/internal/deadletter"
	"fmn/internal/hits"
	"fmn/internal/lifecycle"
	"fmn/internal/oidclogin"
	"fmn/internal/prefsbus"
	"fmn/internal/queuestatus"
	"fmn/internal/rabbit"
	"fmn/internal/ratelimit"
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
	h, err := newHandler(cfg, deps, logger, pool, rdb, rpub)
	if err != nil {
		return err
	}
	cpub := conn.NewPublisher() // confirmations: their own, so a slow broker confirm does not hold re-drives
	defer cpub.Close()
	if h.confirmations, err = confirm.NewSender(cpub, cfg.Topology, cfg.PublicURL, now); err != nil {
		return err
	}
	if h.status, err = queuestatus.New(cfg.Status, cfg.Topology, queuestatus.Deps{Conn: conn, Logger: logger, Registerer: deps.Registry}); err != nil {
		return fmt.Errorf("queue status: %w", err)
	}
	if cfg.OIDC.Enabled() {
		if h.oidc, err = oidclogin.New(ctx, cfg.OIDC); err != nil {
			return fmt.Errorf("openid provider: %w", err)
		}
	}
	mux := http.NewServeMux()
	h.routes(mux)
	checks := telemetry.Checks{
		"broker":   telemetry.Flag(conn.Ready),
		"database": func(ctx context.Context) error { return pool.Ping(ctx) },
	}
	telemetry.MountHealth(mux, checks) // /metrics only on the metrics listener, never the public one
	srv := telemetry.NewServer(h.protect(mux), logger)
	msrv := telemetry.NewServer(telemetry.MetricsHandler(deps.Registry, checks), logger)

	logger.InfoContext(ctx, "web started", "addr", cfg.HTTPAddr, "metrics_addr", cfg.MetricsAddr, "admin_token", cfg.AdminToken.Value() != "")
	return lifecycle.Group(ctx,
		func(ctx context.Context) error { return telemetry.Serve(ctx, srv, cfg.HTTPAddr, deps.Ready) },
		func(ctx context.Context) error { return telemetry.Serve(ctx, msrv, cfg.MetricsAddr, deps.MetricsReady) },
		relay.Run,
		archiver.Run,
		h.status.Run,
	)
}

// newHandler builds the handler of every route on its collaborators; rpub re-drives dead letters.
func newHandler(cfg Config, deps Deps, logger *slog.Logger, pool *pgxpool.Pool, rdb *redis.Client, rpub *rabbit.Publisher) (*handler, error) {
	signer, err := ssetoken.NewSigner([]byte(cfg.SSESecret.Value()))
	if err != nil {
		return nil, fmt.Errorf("sse tokens: %w", err)
	}
	muter, err := newMuter(cfg)
	if err != nil {
		return nil, fmt.Errorf("mute tokens: %w", err)
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	dead := deadletter.NewStore(pool)
	return &handler{cfg: cfg, logger: logger, now: deps.Clock(), sessions: newSessions(cfg, rdb), pages: pg,
		hits:        hits.NewStore(rdb, cfg.Redis.Prefix),
		revocations: newRevocations(cfg, rdb),
		apiRate:     ratelimit.New(rdb, cfg.Redis.Prefix, cfg.APIRateLimit, cfg.APIRateWindow),
		previewRate: ratelimit.New(rdb, cfg.Redis.Prefix, cfg.Limits.PreviewRate, previewRateWindow),
		archive:     archive.NewStore(pool, deps.Clock()),
		store:       pgstore.New(pool, pgstore.WithDefaultFilters(defaultFilters(cfg)), pgstore.WithQuotas(cfg.Limits.Quotas)),
		signer:      signer, muter: muter, dead: dead, redriver: deadletter.NewRedriver(dead, rpub, cfg.Topology),
		redriven: promauto.With(deps.Registry).NewCounter(prometheus.CounterOpts{
			Name: "fmn_deadletters_redriven_total", Help: "Dead letters re-driven to their original exchange (confirmed by the broker).",
		})}, nil
}

// protect wraps the route table with what every request goes through, outermost first: security
// headers, a body size limit, cross-origin protection for every state-changing request (the
// CSRF defence: browsers say where a request comes from in Sec-Fetch-Site or Origin), and the
// session.
func (h *handler) protect(mux http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.logger.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "path", r.URL.Path,
			"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	return securityHeaders(h.cfg, http.MaxBytesHandler(cop.Handler(h.sessions.LoadAndSave(mux)), MaxBodyBytes))
}

// securityHeaders sets the headers every response carries. The content security policy allows
// scripts, styles and images from this site only (no inline script), and connections to this site
// and the SSE stream's origin (the Live page).
func securityHeaders(cfg Config, next http.Handler) http.Handler {
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' " +
		origin(cfg.StreamURL) + "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", csp)
		if strings.HasPrefix(cfg.PublicURL, "https://") {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// origin returns the scheme://host of a URL that LoadConfig validated.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// newSessions returns the session manager: sessions in Redis under the configured prefix, an
// HttpOnly, SameSite=Lax cookie that is Secure when the site is served over https.
func newSessions(cfg Config, rdb *redis.Client) *scs.SessionManager {
	s := scs.New()
	s.Store = goredisstore.NewWithPrefix(rdb, cfg.Redis.Prefix+"session:")
	s.Lifetime = cfg.SessionLifetime
	s.IdleTimeout = cfg.SessionIdle
	s.Cookie.Name = "fmn_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	s.Cookie.Secure = cfg.CookieSecure
	s.Cookie.Path = "/"
	return s
}

// defaultFilters are the filters new users start with: the configured ones (an empty list gives
// none), or prefs.DefaultFilters when none are configured.
func defaultFilters(cfg Config) []rules.Filter {
	if cfg.DefaultFilters == nil {
		return prefs.DefaultFilters()
	}
	return cfg.DefaultFilters
}
