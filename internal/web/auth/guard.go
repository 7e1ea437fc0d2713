package auth

import (
	"errors"
	"net/http"
	"net/url"

	"fmn/internal/web/httperr"
	"fmn/pkg/prefs"
)

// ErrorFunc renders an error: as JSON for the API, as an error page for the pages.
type ErrorFunc func(w http.ResponseWriter, r *http.Request, err error)

// APIFunc is an API handler; its error is rendered by the API's ErrorFunc.
type APIFunc func(w http.ResponseWriter, r *http.Request) error

// PageFunc is a page handler for a logged-in user; its error is rendered as an error page.
type PageFunc func(w http.ResponseWriter, r *http.Request, u prefs.User) error

// Guard wraps every route: it authenticates and authorises the request, counts it against a rate
// limit, and renders a refusal the way the route answers (JSON or a page).
type Guard struct {
	auth     *Auth
	failJSON ErrorFunc
	failPage ErrorFunc
}

// NewGuard returns the Guard of a, rendering the refusals of API routes with failJSON and those
// of pages with failPage.
func NewGuard(a *Auth, failJSON, failPage ErrorFunc) *Guard {
	return &Guard{auth: a, failJSON: failJSON, failPage: failPage}
}

// API wraps an API handler: it authenticates the request, checks that the principal may act for
// the {user} of the path (when the pattern has one) or is an administrator (when adminOnly),
// and renders the handler's error as JSON. Other users' objects answer 404, as if they did not
// exist.
func (g *Guard) API(adminOnly bool, fn APIFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.auth.Authenticate(r)
		if err != nil {
			// Refused credentials count per address, so guessing tokens is as slow as anything else.
			if rerr := g.auth.checkRate(r.Context(), g.auth.addrKey(r)); rerr != nil {
				g.failJSON(w, r, rerr)
				return
			}
		}
		switch {
		case errors.Is(err, ErrUnauthenticated):
			w.Header().Set("WWW-Authenticate", `Bearer realm="fmn"`)
			g.failJSON(w, r, httperr.New(http.StatusUnauthorized, "log in or send an API token: Authorization: Bearer <token>"))
			return
		case err != nil:
			g.failJSON(w, r, err)
			return
		case adminOnly && !p.Admin:
			g.failJSON(w, r, httperr.New(http.StatusForbidden, "administrators only"))
			return
		}
		if err := g.auth.checkRate(r.Context(), p.rateKey()); err != nil {
			g.failJSON(w, r, err)
			return
		}
		if name := r.PathValue("user"); name != "" && !p.MayActFor(name) {
			g.failJSON(w, r, httperr.New(http.StatusNotFound, "not found"))
			return
		}
		if err := fn(w, r.WithContext(WithPrincipal(r.Context(), p))); err != nil {
			g.failJSON(w, r, err)
		}
	})
}

// Page wraps a page handler: it requires a session (a GET without one is sent to the login page),
// administrators only when admin is set, and renders errors as pages.
func (g *Guard) Page(admin bool, fn PageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.auth.Authenticate(r)
		// Pages count against the same per-user rate as the API; before login, per address.
		rateKey := g.auth.addrKey(r)
		if err == nil {
			rateKey = p.rateKey()
		}
		if rerr := g.auth.checkRate(r.Context(), rateKey); rerr != nil {
			g.failPage(w, r, rerr)
			return
		}
		switch {
		case errors.Is(err, ErrUnauthenticated) && r.Method == http.MethodGet:
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case err != nil:
			g.failPage(w, r, err)
			return
		case !p.IsUser() || p.Token:
			// Pages are for people in a browser: scripts use the API.
			g.failPage(w, r, httperr.New(http.StatusUnauthorized, "Log in to use this page."))
			return
		case admin && !p.Admin:
			g.failPage(w, r, httperr.New(http.StatusForbidden, "This page is for administrators."))
			return
		}
		r = r.WithContext(WithPrincipal(r.Context(), p))
		if err := fn(w, r, p.User); err != nil {
			g.failPage(w, r, err)
		}
	})
}

// Public wraps a route anyone may call (no login): its rate is limited per client address
// (see clientAddr), and a refusal is rendered as JSON.
func (g *Guard) Public(fn http.HandlerFunc) http.Handler {
	return g.addrLimited(fn, g.failJSON)
}

// PublicPage is Public for a route that answers in HTML: a refusal is an error page.
func (g *Guard) PublicPage(fn http.HandlerFunc) http.Handler {
	return g.addrLimited(fn, g.failPage)
}

// addrLimited counts every request of fn under its client address and refuses those past the
// rate with refuse.
func (g *Guard) addrLimited(fn http.HandlerFunc, refuse ErrorFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.auth.checkRate(r.Context(), g.auth.addrKey(r)); err != nil {
			refuse(w, r, err)
			return
		}
		fn(w, r)
	})
}
