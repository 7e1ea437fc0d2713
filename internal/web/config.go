package web

import (
	"net/url"
	"os"
	"strings"
	"time"

	"fmn/internal/config"
	"fmn/internal/oidclogin"
	"fmn/internal/queuestatus"
	"fmn/internal/rabbit"
	"fmn/internal/ssetoken"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// Defaults.
const (
	DefaultHTTPAddr  = "127.0.0.1:8080"
	DefaultStreamURL = "http://127.0.0.1:8082/stream"
	// DefaultMetricsAddr is on loopback: metrics are for the operator's scraper, not the public.
	DefaultMetricsAddr = "127.0.0.1:9104"
	// DefaultAPIRateLimit and DefaultAPIRateWindow: 600 API requests a minute per user, token or
	// address; ten a second is far above what the UI or a script needs.
	DefaultAPIRateLimit  = 600
	DefaultAPIRateWindow = time.Minute
	// MaxBodyBytes bounds request bodies (pages and API).
	MaxBodyBytes = 64 << 10
)

// Config is the web app's configuration.
type Config struct {
	AMQP     config.AMQP
	Postgres config.Postgres
	Log      config.Log
	// Redis holds the login sessions, shared by every replica.
	Redis    config.Redis
	Topology rabbit.Topology
	// HTTPAddr is the public listen address: the pages, the API, /healthz and /readyz
	// (FMN_WEB_ADDR).
	HTTPAddr string
	// MetricsAddr serves /metrics, /healthz and /readyz, apart from the public listener
	// (FMN_WEB_METRICS_ADDR, default 127.0.0.1:9104).
	MetricsAddr string
	// AdminToken is the operator's API token (FMN_WEB_ADMIN_TOKEN or _FILE); empty: there is
	// none, and the API takes personal tokens and sessions only.
	AdminToken config.Secret
	// SSESecret signs stream tokens; shared with the backends (FMN_SSE_SECRET or _FILE).
	SSESecret config.Secret
	// MuteSecret verifies the one-click mute links of emails; shared with the backends, at least
	// 32 bytes (FMN_MUTE_SECRET or _FILE). Unset, POST /mute and GET /mute are not served.
	MuteSecret config.Secret
	// StreamURL is the backends' public /stream URL, returned with tokens (FMN_STREAM_URL).
	StreamURL string
	// StreamTokenTTL is how long a stream token is valid (FMN_STREAM_TOKEN_TTL, default
	// ssetoken.DefaultTTL, at most ssetoken.MaxTTL).
	StreamTokenTTL time.Duration
	// APIRateLimit is how many API requests a user (or token, or for the public routes an IP
	// address) may make per APIRateWindow; past it the API answers 429 with Retry-After
	// (FMN_WEB_API_RATE_LIMIT, default 600, 0 for no limit; FMN_WEB_API_RATE_WINDOW, default 1m).
	APIRateLimit  int
	APIRateWindow time.Duration
	// RelayPoll is how often the outbox relay looks for missed changes (FMN_OUTBOX_POLL).
	RelayPoll time.Duration
	// PublicURL is where people reach the web app, without a trailing slash; confirmation links
	// start with it (FMN_PUBLIC_URL).
	PublicURL string
	// DevLogin lets anyone log in as any user by typing a name, for development only
	// (FMN_WEB_DEV_LOGIN=true; off by default and logged loudly when on).
	DevLogin bool
	// CookieSecure marks the session cookie Secure (FMN_WEB_COOKIE_SECURE; by default, when
	// PublicURL is https).
	CookieSecure bool
	// SessionLifetime is how long a login lasts at most, SessionIdle how long without a request
	// (FMN_WEB_SESSION_LIFETIME, FMN_WEB_SESSION_IDLE).
	SessionLifetime, SessionIdle time.Duration
	// OIDC is the OpenID provider people log in with (FMN_OIDC_*; off when FMN_OIDC_ISSUER is
	// unset).
	OIDC oidclogin.Config
	// Status is where the admin status page reads queue depths and rates (FMN_RABBITMQ_API_URL,
	// FMN_STATUS_POLL).
	Status queuestatus.Config
	// Admins are the users made administrators when they log in (FMN_WEB_ADMINS, comma-separated
	// "name" or "name=subject"). Through the OpenID provider a plain name counts only with
	// OIDC.UsernameUnique; otherwise the entry must pin the subject, which also reserves the name
	// for it.
	Admins []string
	// Limits are the quotas on what a user can create or set off, the preview rate and the
	// trusted proxies (see Limits; LoadConfig gives DefaultLimits where nothing is set, the zero
	// value has no limits).
	Limits Limits
	// DefaultFilters are the filters new users start with: prefs.DefaultFilters when nil, or the
	// JSON array in the file named by FMN_DEFAULT_FILTERS_FILE (an empty array gives none).
	DefaultFilters []rules.Filter
}

// LoadConfig reads the configuration from the environment.
func LoadConfig(lookup config.LookupFunc) (Config, error) {
	r := config.NewReader(lookup)
	c := Config{
		AMQP:            config.ReadAMQP(r),
		Postgres:        config.ReadPostgres(r),
		Log:             config.ReadLog(r),
		Redis:           config.ReadRedis(r),
		PublicURL:       strings.TrimRight(r.String("FMN_PUBLIC_URL", "http://"+DefaultHTTPAddr), "/"),
		DevLogin:        r.Bool("FMN_WEB_DEV_LOGIN", false),
		SessionLifetime: r.Duration("FMN_WEB_SESSION_LIFETIME", 7*24*time.Hour),
		SessionIdle:     r.Duration("FMN_WEB_SESSION_IDLE", 24*time.Hour),
		Admins:          r.List("FMN_WEB_ADMINS", nil),
		OIDC:            oidclogin.ReadConfig(r),
		HTTPAddr:        r.String("FMN_WEB_ADDR", DefaultHTTPAddr),
		MetricsAddr:     r.String("FMN_WEB_METRICS_ADDR", DefaultMetricsAddr),
		AdminToken:      r.Secret("FMN_WEB_ADMIN_TOKEN", ""),
		SSESecret:       r.Secret("FMN_SSE_SECRET", ""),
		MuteSecret:      r.Secret("FMN_MUTE_SECRET", ""),
		StreamURL:       r.String("FMN_STREAM_URL", DefaultStreamURL),
		StreamTokenTTL:  r.Duration("FMN_STREAM_TOKEN_TTL", ssetoken.DefaultTTL),
		APIRateLimit:    r.Int("FMN_WEB_API_RATE_LIMIT", DefaultAPIRateLimit),
		APIRateWindow:   r.Duration("FMN_WEB_API_RATE_WINDOW", DefaultAPIRateWindow),
		RelayPoll:       r.Duration("FMN_OUTBOX_POLL", time.Second),
		DefaultFilters:  prefs.DefaultFilters(),
		Limits:          readLimits(r),
	}
	if path := r.String("FMN_DEFAULT_FILTERS_FILE", ""); path != "" {
		b, err := os.ReadFile(path)
		if err == nil {
			c.DefaultFilters, err = prefs.ParseDefaultFilters(b)
		}
		if err != nil {
			r.Fail("FMN_DEFAULT_FILTERS_FILE", "%v", err)
		}
	}
	c.CookieSecure = r.Bool("FMN_WEB_COOKIE_SECURE", strings.HasPrefix(c.PublicURL, "https://"))
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
		r.Fail("FMN_PUBLIC_URL", "must be an http(s) URL with no path, such as https://notifications.example.org")
	}
	if u, err := url.Parse(c.StreamURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.Fail("FMN_STREAM_URL", "must be an http(s) URL such as https://notifications.example.org/stream")
	}
	checkAdmins(r, c.Admins)
	if c.StreamTokenTTL <= 0 || c.StreamTokenTTL > ssetoken.MaxTTL {
		r.Fail("FMN_STREAM_TOKEN_TTL", "must be more than 0 and at most %s (a revocation is kept that long)", ssetoken.MaxTTL)
	}
	c.Topology = config.ReadTopology(r, c.AMQP)
	c.Status = queuestatus.ReadConfig(r, c.AMQP)
	// Every secret the web app holds: no placeholder, at least 32 bytes (but the provider's), and
	// none the same as another.
	r.CheckSecrets(
		config.SecretSpec{Key: "FMN_SSE_SECRET", Value: c.SSESecret, Required: true, Why: "shared with the backends"},
		config.SecretSpec{Key: "FMN_MUTE_SECRET", Value: c.MuteSecret},
		config.SecretSpec{Key: "FMN_WEB_ADMIN_TOKEN", Value: c.AdminToken},
		config.SecretSpec{Key: "FMN_OIDC_CLIENT_SECRET", Value: c.OIDC.ClientSecret, Issued: true},
	)
	return c, r.Err()
}

// checkAdmins refuses FMN_WEB_ADMINS entries that are not "name" or "name=subject".
func checkAdmins(r *config.Reader, admins []string) {
	for _, a := range admins {
		n, sub, pinned := strings.Cut(a, "=")
		if prefs.ValidateUserName(n) != nil || (pinned && sub == "") {
			r.Fail("FMN_WEB_ADMINS", "%q is not a user name, or name=subject with the OpenID subject the operator confirmed", a)
		}
	}
}
