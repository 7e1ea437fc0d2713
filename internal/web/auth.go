package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"fmn/pkg/prefs"
)

// principal is who a request acts as: a user (by session or API token), or the operator's admin
// token, which is no user.
type principal struct {
	user  prefs.User
	admin bool
	// token is true when an API token or the admin token authenticated the request (no session).
	token bool
}

// isUser reports whether the principal is a user (not the bare admin token).
func (p principal) isUser() bool { return p.user.ID != 0 }

// rateKey names the principal's API rate count: the user (whatever logged them in), or the
// operator's admin token.
func (p principal) rateKey() string {
	if p.isUser() {
		return "user:" + p.user.Name
	}
	return "admin-token"
}

// mayActFor reports whether the principal may read and change name's preferences: their own, or
// anyone's for administrators.
func (p principal) mayActFor(name string) bool {
	return p.admin || (p.isUser() && p.user.Name == name)
}

type principalKey struct{}

// withPrincipal returns ctx carrying p.
func withPrincipal(ctx context.Context, p principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalOf returns the principal authenticate stored in ctx.
func principalOf(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// sessionUserKey is the session key holding the logged-in user's name.
const sessionUserKey = "user"

// errUnauthenticated is returned by authenticate when a request carries no credentials at all.
var errUnauthenticated = errors.New("not logged in")

// authenticate finds who r acts as: the bearer token (the admin token or a user's API token) if
// there is one, else the session. A user deleted since they logged in is not authenticated, nor is
// a session ended by logging out everywhere.
func (h *handler) authenticate(r *http.Request) (principal, error) {
	ctx := r.Context()
	if hdr := r.Header.Get("Authorization"); hdr != "" {
		tok, ok := strings.CutPrefix(hdr, "Bearer ")
		if !ok || tok == "" {
			return principal{}, &apiError{http.StatusUnauthorized, "the Authorization header must be: Bearer <token>"}
		}
		if want := h.cfg.AdminToken.Value(); want != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1 {
			return principal{admin: true, token: true}, nil
		}
		u, err := h.store.UserByAPIToken(ctx, tok)
		if errors.Is(err, prefs.ErrNotFound) {
			return principal{}, &apiError{http.StatusUnauthorized, "unknown or revoked token"}
		}
		if err != nil {
			return principal{}, err
		}
		return principal{user: u, admin: u.IsAdmin, token: true}, nil
	}
	name := h.sessions.GetString(ctx, sessionUserKey)
	if name == "" {
		return principal{}, errUnauthenticated
	}
	// A session that logged in before its user logged out everywhere (or was deleted) is over.
	ended, err := h.revocations.sessionEnded(ctx, name, h.sessions.GetInt64(ctx, sessionLoginKey))
	if err != nil {
		return principal{}, err
	}
	if ended {
		return principal{}, errUnauthenticated
	}
	u, err := h.store.UserByName(ctx, name)
	if errors.Is(err, prefs.ErrNotFound) {
		return principal{}, errUnauthenticated
	}
	if err != nil {
		return principal{}, err
	}
	return principal{user: u, admin: u.IsAdmin}, nil
}

// apiRoute wraps an API handler: it authenticates the request, checks that the principal may act
// for the {user} of the path (when the pattern has one) or is an administrator (when adminOnly),
// and renders the handler's error as JSON. Other users' objects answer 404, as if they did not
// exist.
func (h *handler) apiRoute(adminOnly bool, fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := h.authenticate(r)
		if err != nil {
			// Refused credentials count per address, so guessing tokens is as slow as anything else.
			if rerr := h.checkRate(r.Context(), h.addrKey(r)); rerr != nil {
				h.fail(w, r, rerr)
				return
			}
		}
		switch {
		case errors.Is(err, errUnauthenticated):
			w.Header().Set("WWW-Authenticate", `Bearer realm="fmn"`)
			h.fail(w, r, &apiError{http.StatusUnauthorized, "log in or send an API token: Authorization: Bearer <token>"})
			return
		case err != nil:
			h.fail(w, r, err)
			return
		case adminOnly && !p.admin:
			h.fail(w, r, &apiError{http.StatusForbidden, "administrators only"})
			return
		}
		if err := h.checkRate(r.Context(), p.rateKey()); err != nil {
			h.fail(w, r, err)
			return
		}
		if name := r.PathValue("user"); name != "" && !p.mayActFor(name) {
			h.fail(w, r, &apiError{http.StatusNotFound, "not found"})
			return
		}
		if err := fn(w, r.WithContext(withPrincipal(r.Context(), p))); err != nil {
			h.fail(w, r, err)
		}
	})
}

// publicRoute wraps a route anyone may call (no login): its rate is limited per client address
// (see clientAddr), and a refusal is rendered by fail.
func (h *handler) publicRoute(fn http.HandlerFunc) http.Handler {
	return h.addrLimited(fn, h.fail)
}

// publicPage is publicRoute for a route that answers in HTML: a refusal is an error page.
func (h *handler) publicPage(fn http.HandlerFunc) http.Handler {
	return h.addrLimited(fn, h.pageError)
}

// addrLimited counts every request of fn under its client address and refuses those past the
// rate with refuse.
func (h *handler) addrLimited(fn http.HandlerFunc, refuse func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.checkRate(r.Context(), h.addrKey(r)); err != nil {
			refuse(w, r, err)
			return
		}
		fn(w, r)
	})
}

// addrKey names the rate count of requests from r's client address.
func (h *handler) addrKey(r *http.Request) string {
	return "ip:" + clientAddr(r, h.cfg.Limits.TrustedProxies)
}

// safeNext returns next if it is a path on this site, else "/". It keeps login redirects from
// sending people elsewhere ("//evil.example" and "/\evil.example" are other sites to browsers).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	return next
}
