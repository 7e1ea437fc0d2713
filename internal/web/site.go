package web

import (
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"fmn/internal/archive"
	"fmn/internal/confirm"
	"fmn/internal/deadletter"
	"fmn/internal/hits"
	"fmn/internal/mutetoken"
	"fmn/internal/oidclogin"
	"fmn/internal/preview"
	"fmn/internal/queuestatus"
	"fmn/internal/rabbit"
	"fmn/internal/ratelimit"
	"fmn/internal/ssetoken"
	"fmn/internal/web/api"
	"fmn/internal/web/auth"
	"fmn/internal/web/filterhits"
	"fmn/internal/web/limit"
	"fmn/internal/web/redrive"
	"fmn/internal/web/ui"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// backing is what Run opened for the site: the connections and the collaborators that need the
// broker or the provider. confirmations, status and oidc may be nil (tests without a broker;
// no OpenID provider), and so may redrivePub (re-drives then fail).
type backing struct {
	pool          *pgxpool.Pool
	rdb           *redis.Client
	redrivePub    *rabbit.Publisher
	confirmations *confirm.Sender
	status        *queuestatus.Sampler
	oidc          *oidclogin.Client
}

// site is the web app's three faces and the route wrappers around them.
type site struct {
	cfg    Config
	logger *slog.Logger
	auth   *auth.Auth
	guard  *auth.Guard
	login  *auth.Login
	api    *api.Handler
	ui     *ui.Handler
	// mute is true when the one-click mute routes are served (FMN_MUTE_SECRET is set).
	mute bool
}

// shared are the collaborators both the API and the pages use.
type shared struct {
	store         *pgstore.Store
	archive       *archive.Store
	dead          *deadletter.Store
	redriver      *redrive.Redriver
	confirmations *confirm.Starter
	previews      *preview.Runner
	hits          *filterhits.Counter
}

// newSite builds the faces on b. It fails on a bad secret and on a page view without its
// template.
func newSite(cfg Config, deps Deps, logger *slog.Logger, b backing) (*site, error) {
	now := deps.Clock()
	signer, err := ssetoken.NewSigner([]byte(cfg.SSESecret.Value()))
	if err != nil {
		return nil, fmt.Errorf("sse tokens: %w", err)
	}
	muter, err := newMuter(cfg)
	if err != nil {
		return nil, fmt.Errorf("mute tokens: %w", err)
	}
	sh := newShared(cfg, deps, logger, b)
	sessCfg := auth.SessionConfig{Prefix: cfg.Redis.Prefix, Lifetime: cfg.SessionLifetime, Idle: cfg.SessionIdle, Secure: cfg.CookieSecure}
	sessions := auth.NewSessions(sessCfg, b.rdb)
	revocations := auth.NewRevocations(sessCfg, b.rdb)
	requests := limit.NewRequests(ratelimit.New(b.rdb, cfg.Redis.Prefix, cfg.APIRateLimit, cfg.APIRateWindow), now, logger)
	a := auth.New(auth.Config{AdminToken: cfg.AdminToken.Value(), TrustedProxies: cfg.Limits.TrustedProxies},
		auth.Deps{Users: sh.store, Sessions: sessions, Revocations: revocations, Requests: requests})
	status := latestStatus(b.status)
	apiH := api.New(api.Config{StreamURL: cfg.StreamURL, StreamTokenTTL: cfg.StreamTokenTTL}, api.Deps{
		Logger: logger, Now: now, Store: sh.store, Archive: sh.archive, Signer: signer, Revocations: revocations,
		DeadLetters: sh.dead, Redriver: sh.redriver, Confirmations: sh.confirmations, Previews: sh.previews, Hits: sh.hits,
		StatusFunc: status,
	})
	uiH, err := ui.New(ui.Config{PublicURL: cfg.PublicURL, DevLogin: cfg.DevLogin, OIDC: b.oidc != nil, APIDoc: apiDoc}, ui.Deps{
		Logger: logger, Now: now, Store: sh.store, Auth: a, Sessions: sessions, Archive: sh.archive,
		DeadLetters: sh.dead, Redriver: sh.redriver, Confirmations: sh.confirmations, Previews: sh.previews, Hits: sh.hits,
		StatusFunc: status, Muter: muter,
	})
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	login := auth.NewLogin(auth.LoginConfig{DevLogin: cfg.DevLogin, Admins: cfg.Admins, UsernameUnique: cfg.OIDC.UsernameUnique},
		auth.LoginDeps{Auth: a, Store: sh.store, OIDC: b.oidc, Pages: uiH, Logger: logger, Now: now})
	return &site{cfg: cfg, logger: logger, auth: a, guard: auth.NewGuard(a, apiH.Fail, uiH.Error), login: login,
		api: apiH, ui: uiH, mute: muter != nil}, nil
}

// newShared builds the collaborators both faces use.
func newShared(cfg Config, deps Deps, logger *slog.Logger, b backing) shared {
	now := deps.Clock()
	store := pgstore.New(b.pool, pgstore.WithDefaultFilters(defaultFilters(cfg)), pgstore.WithQuotas(cfg.Limits.Quotas))
	arch := archive.NewStore(b.pool, now)
	dead := deadletter.NewStore(b.pool)
	previewRate := limit.NewPreviews(ratelimit.New(b.rdb, cfg.Redis.Prefix, cfg.Limits.PreviewRate, previewRateWindow), now, logger)
	return shared{
		store:         store,
		archive:       arch,
		dead:          dead,
		redriver:      redrive.New(deadletter.NewRedriver(dead, b.redrivePub, cfg.Topology), deps.Registry, logger, now),
		confirmations: confirm.NewStarter(store, b.confirmations),
		previews:      preview.NewRunner(store, arch, previewRate.Check, now),
		hits:          filterhits.New(hits.NewStore(b.rdb, cfg.Redis.Prefix), now, logger),
	}
}

// latestStatus returns the latest queue sample of s; without a sampler, an empty one that says so.
func latestStatus(s *queuestatus.Sampler) func() queuestatus.Snapshot {
	return func() queuestatus.Snapshot {
		if s == nil {
			return queuestatus.Snapshot{Err: "no queue sampler runs in this process"}
		}
		return s.Latest()
	}
}

// newMuter returns the mute token verifier, or nil when no secret is configured.
func newMuter(cfg Config) (*mutetoken.Signer, error) {
	if cfg.MuteSecret.Value() == "" {
		return nil, nil
	}
	return mutetoken.NewSigner([]byte(cfg.MuteSecret.Value()))
}

// defaultFilters are the filters new users start with: the configured ones (an empty list gives
// none), or prefs.DefaultFilters when none are configured.
func defaultFilters(cfg Config) []rules.Filter {
	if cfg.DefaultFilters == nil {
		return prefs.DefaultFilters()
	}
	return cfg.DefaultFilters
}
