// Package web is fmn's web application: the HTML pages (login, filters, destinations and their
// confirmations, the live stream, "why did I get this", the admin pages) and the JSON API that
// does the same (users, destinations, filters, stream tokens, dead letters, the message history).
// It runs the preferences outbox relay, the dead-letter archiver and the queue-status sampler, and
// serves health and metrics.
package web

import (
	"net/url"
	"os"
	"strings"
	"time"

	"fmn/internal/config"
	"fmn/internal/mutetoken"
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
	// DefaultAPIRateLimit and DefaultAPIRateWindow: 600 API requests a minute per user, token or
	// address; ten a second is far above what the UI or a script needs.
	DefaultAPIRateLimit  = 600
	DefaultAPIRateWindow = time.Minute
	// maxBody bounds API request bodies.
	maxBody = 64 << 10
)

// Config is the web app's configuration.
type Config struct {
	AMQP     config.AMQP
	Postgres config.Postgres
	Log      config.Log
	// Redis holds the login sessions, shared by every replica.
	Redis    config.Redis
	Topology rabbit.Topology
	// HTTPAddr is the listen address (FMN_WEB_ADDR).
	HTTPAddr string
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
	// StreamTokenTTL is how long a stream token is valid (FMN_STREAM_TOKEN_TTL).
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
	// Admins are user names made administrators when they log in (FMN_WEB_ADMINS, comma-separated).
	Admins []string
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
		AdminToken:      r.Secret("FMN_WEB_ADMIN_TOKEN", ""),
		SSESecret:       r.Secret("FMN_SSE_SECRET", ""),
		MuteSecret:      r.Secret("FMN_MUTE_SECRET", ""),
		StreamURL:       r.String("FMN_STREAM_URL", DefaultStreamURL),
		StreamTokenTTL:  r.Duration("FMN_STREAM_TOKEN_TTL", ssetoken.DefaultTTL),
		APIRateLimit:    r.Int("FMN_WEB_API_RATE_LIMIT", DefaultAPIRateLimit),
		APIRateWindow:   r.Duration("FMN_WEB_API_RATE_WINDOW", DefaultAPIRateWindow),
		RelayPoll:       r.Duration("FMN_OUTBOX_POLL", time.Second),
		DefaultFilters:  prefs.DefaultFilters(),
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
	c.Topology = config.ReadTopology(r, c.AMQP)
	c.Status = queuestatus.ReadConfig(r, c.AMQP)
	if len(c.SSESecret.Value()) < ssetoken.MinSecretLen {
		r.Fail("FMN_SSE_SECRET", "must be set to at least %d bytes (shared with the backends)", ssetoken.MinSecretLen)
	}
	if v := c.MuteSecret.Value(); v != "" && len(v) < mutetoken.MinSecretLen {
		r.Fail("FMN_MUTE_SECRET", "must be at least %d bytes (shared with the backends)", mutetoken.MinSecretLen)
	}
	return c, r.Err()
}
