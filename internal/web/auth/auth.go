package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/netip"
	"strings"

	"github.com/alexedwards/scs/v2"

	"fmn/internal/web/httperr"
	"fmn/internal/web/limit"
	"fmn/pkg/prefs"
)

// ErrUnauthenticated is returned by Authenticate when a request carries no credentials at all.
var ErrUnauthenticated = errors.New("not logged in")

// Users finds users by name and by API token; *pgstore.Store is one.
type Users interface {
	UserByName(ctx context.Context, name string) (prefs.User, error)
	UserByAPIToken(ctx context.Context, token string) (prefs.User, error)
}

// Auth authenticates requests and counts them against the request rate.
type Auth struct {
	// adminToken is the operator's API token; empty: there is none.
	adminToken  string
	users       Users
	sessions    *scs.SessionManager
	revocations *Revocations
	// requests limits requests (API and pages) per user, token or (public routes) address.
	requests *limit.Counter
	// trustedProxies are the proxies whose X-Forwarded-For names the client (see clientAddr).
	trustedProxies []netip.Prefix
}

// Config is what Auth needs to know.
type Config struct {
	// AdminToken is the operator's API token (FMN_WEB_ADMIN_TOKEN); empty: none.
	AdminToken string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed
	// (FMN_WEB_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
}

// Deps are Auth's collaborators.
type Deps struct {
	Users       Users
	Sessions    *scs.SessionManager
	Revocations *Revocations
	// Requests counts requests against the request rate.
	Requests *limit.Counter
}

// New returns the Auth of cfg.
func New(cfg Config, deps Deps) *Auth {
	return &Auth{adminToken: cfg.AdminToken, users: deps.Users, sessions: deps.Sessions, revocations: deps.Revocations,
		requests: deps.Requests, trustedProxies: cfg.TrustedProxies}
}

// LoadAndSave loads and saves the session of every request to next.
func (a *Auth) LoadAndSave(next http.Handler) http.Handler { return a.sessions.LoadAndSave(next) }

// Authenticate finds who r acts as: the bearer token (the admin token or a user's API token) if
// there is one, else the session. A user deleted since they logged in is not authenticated, nor is
// a session ended by logging out everywhere.
func (a *Auth) Authenticate(r *http.Request) (Principal, error) {
	ctx := r.Context()
	if hdr := r.Header.Get("Authorization"); hdr != "" {
		return a.bearer(ctx, hdr)
	}
	name := a.sessions.GetString(ctx, sessionUserKey)
	if name == "" {
		return Principal{}, ErrUnauthenticated
	}
	// A session that logged in before its user logged out everywhere (or was deleted) is over.
	ended, err := a.revocations.sessionEnded(ctx, name, a.sessions.GetInt64(ctx, sessionLoginKey))
	if err != nil {
		return Principal{}, err
	}
	if ended {
		return Principal{}, ErrUnauthenticated
	}
	u, err := a.users.UserByName(ctx, name)
	if errors.Is(err, prefs.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{User: u, Admin: u.IsAdmin}, nil
}

// bearer authenticates the Authorization header hdr: the admin token or a user's API token.
func (a *Auth) bearer(ctx context.Context, hdr string) (Principal, error) {
	tok, ok := strings.CutPrefix(hdr, "Bearer ")
	if !ok || tok == "" {
		return Principal{}, httperr.New(http.StatusUnauthorized, "the Authorization header must be: Bearer <token>")
	}
	if want := a.adminToken; want != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1 {
		return Principal{Admin: true, Token: true}, nil
	}
	u, err := a.users.UserByAPIToken(ctx, tok)
	if errors.Is(err, prefs.ErrNotFound) {
		return Principal{}, httperr.New(http.StatusUnauthorized, "unknown or revoked token")
	}
	if err != nil {
		return Principal{}, err
	}
	return Principal{User: u, Admin: u.IsAdmin, Token: true}, nil
}

// checkRate counts a request under key and returns a *limit.Error past the request rate. When
// Redis cannot count, the request goes through.
func (a *Auth) checkRate(ctx context.Context, key string) error {
	return a.requests.Check(ctx, key)
}

// addrKey names the rate count of requests from r's client address.
func (a *Auth) addrKey(r *http.Request) string {
	return "ip:" + clientAddr(r, a.trustedProxies)
}
