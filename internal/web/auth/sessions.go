package auth

import (
	"net/http"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/v2"
	"github.com/redis/go-redis/v9"
)

// Session keys.
const (
	// sessionUserKey holds the logged-in user's name.
	sessionUserKey = "user"
	// sessionLoginKey holds when the session logged in (Unix nanoseconds, by the web app's clock).
	sessionLoginKey = "login_at"
)

// SessionConfig is how login sessions are kept.
type SessionConfig struct {
	// Prefix namespaces the sessions' Redis keys (FMN_REDIS_PREFIX).
	Prefix string
	// Lifetime is how long a login lasts at most, Idle how long without a request
	// (FMN_WEB_SESSION_LIFETIME, FMN_WEB_SESSION_IDLE).
	Lifetime, Idle time.Duration
	// Secure marks the cookie Secure (FMN_WEB_COOKIE_SECURE).
	Secure bool
}

// NewSessions returns the session manager: sessions in Redis under the configured prefix, an
// HttpOnly, SameSite=Lax cookie that is Secure when the site is served over https.
func NewSessions(cfg SessionConfig, rdb *redis.Client) *scs.SessionManager {
	s := scs.New()
	s.Store = goredisstore.NewWithPrefix(rdb, cfg.Prefix+"session:")
	s.Lifetime = cfg.Lifetime
	s.IdleTimeout = cfg.Idle
	s.Cookie.Name = "fmn_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	s.Cookie.Secure = cfg.Secure
	s.Cookie.Path = "/"
	return s
}
