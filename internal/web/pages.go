package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fmn/internal/deadletter"
	"fmn/internal/queuestatus"
	"fmn/pkg/prefs"
)

// pageRoutes adds the HTML pages. Every state change is a POST (CrossOriginProtection guards
// them all); GETs change nothing.
func (h *handler) pageRoutes(mux routeMux) {
	page := func(pattern string, fn pageFunc) { mux.Handle(pattern, h.page(false, fn)) }
	admin := func(pattern string, fn pageFunc) { mux.Handle(pattern, h.page(true, fn)) }

	mux.Handle("GET /static/", h.publicPage(http.FileServerFS(staticFS).ServeHTTP))
	mux.Handle("GET /{$}", h.publicPage(h.home))
	mux.Handle("GET /api", h.publicPage(h.apiDoc))
	mux.Handle("GET /login", h.publicPage(h.loginPage))
	mux.Handle("POST /login/dev", h.publicPage(h.devLogin))
	mux.Handle("GET /login/oidc", h.publicPage(h.oidcLogin))
	mux.Handle("GET /auth/callback", h.publicPage(h.oidcCallback))
	mux.Handle("POST /logout", h.publicPage(h.logout))
	page("POST /logout/everywhere", h.logoutEverywhere)

	page("GET /filters", h.filtersPage)
	page("GET /filters/new", h.newFilterPage)
	page("POST /filters/new", h.saveFilterPage)
	page("GET /filters/{id}", h.editFilterPage)
	page("POST /filters/{id}", h.saveFilterPage)
	page("POST /filters/{id}/enable", h.enableFilterPage)
	page("POST /filters/{id}/disable", h.enableFilterPage)
	page("POST /filters/{id}/delete", h.deleteFilterPage)

	page("GET /why", h.whyPage)

	page("GET /destinations", h.destinationsPage)
	page("POST /destinations", h.addDestinationPage)
	page("POST /destinations/{id}", h.updateDestinationPage)
	page("POST /destinations/{id}/delete", h.deleteDestinationPage)
	page("POST /destinations/{id}/confirm", h.confirmCodePage)
	page("POST /destinations/{id}/send-confirmation", h.resendConfirmationPage)
	// The emailed link: its secret is the authority, no login needed. GET only shows a button
	// (mail scanners open links); the POST confirms.
	mux.Handle("GET /confirm/{secret}", h.publicPage(h.confirmLinkPage))
	mux.Handle("POST /confirm/{secret}", h.publicPage(h.confirmLinkPage))

	page("GET /tokens", h.tokensPage)
	page("POST /tokens", h.createTokenPage)
	page("POST /tokens/{id}/delete", h.deleteTokenPage)

	page("GET /live", h.livePage)
	page("POST /live/token", h.liveToken)

	admin("GET /admin/status", h.adminStatusPage)
	admin("GET /admin/users", h.adminUsersPage)
	admin("GET /admin/dead-letters", h.adminDeadLettersPage)
	admin("POST /admin/dead-letters/{id}/redrive", h.adminRedrivePage)
	admin("POST /admin/dead-letters/{id}/delete", h.adminDeleteDeadLetterPage)
}

// pageFunc is a page handler for a logged-in user.
type pageFunc func(w http.ResponseWriter, r *http.Request, u prefs.User) error

// page wraps a page handler: it requires a session (a GET without one is sent to the login page),
// administrators only when admin is set, and renders errors as pages.
func (h *handler) page(admin bool, fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := h.authenticate(r)
		// Pages count against the same per-user rate as the API; before login, per address.
		rateKey := h.addrKey(r)
		if err == nil {
			rateKey = p.rateKey()
		}
		if rerr := h.checkRate(r.Context(), rateKey); rerr != nil {
			h.pageError(w, r, rerr)
			return
		}
		switch {
		case errors.Is(err, errUnauthenticated) && r.Method == http.MethodGet:
			seeOther(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
			return
		case err != nil:
			h.pageError(w, r, err)
			return
		case !p.isUser() || p.token:
			// Pages are for people in a browser: scripts use the API.
			h.pageError(w, r, &apiError{http.StatusUnauthorized, "Log in to use this page."})
			return
		case admin && !p.admin:
			h.pageError(w, r, &apiError{http.StatusForbidden, "This page is for administrators."})
			return
		}
		r = r.WithContext(withPrincipal(r.Context(), p))
		if err := fn(w, r, p.user); err != nil {
			h.pageError(w, r, err)
		}
	})
}

// pageError renders err as an error page, with the same classification as the API.
func (h *handler) pageError(w http.ResponseWriter, r *http.Request, err error) {
	setRetryAfter(w, err)
	status, msg := http.StatusUnauthorized, "Log in to use this page."
	if !errors.Is(err, errUnauthenticated) {
		status, msg = h.classify(r, err)
	}
	h.render(w, r, status, "error", view{Title: http.StatusText(status), Data: msg})
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	if _, err := h.authenticate(r); err == nil {
		seeOther(w, r, "/filters")
		return
	}
	seeOther(w, r, "/login")
}

// apiDoc shows the API's documentation (API.md, embedded).
func (h *handler) apiDoc(w http.ResponseWriter, r *http.Request) {
	if p, err := h.authenticate(r); err == nil {
		r = r.WithContext(withPrincipal(r.Context(), p))
	}
	h.render(w, r, http.StatusOK, "api", view{Title: "API", Data: apiDoc})
}

// formInt reads a positive integer form value; 0 when it is missing or not one.
func formInt(r *http.Request, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// --- destinations ---

func (h *handler) destinationsPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	return h.renderDestinations(w, r, u, http.StatusOK, "")
}

func (h *handler) renderDestinations(w http.ResponseWriter, r *http.Request, u prefs.User, status int, problem string) error {
	ds, err := h.store.Destinations(r.Context(), u)
	if err != nil {
		return err
	}
	h.render(w, r, status, "destinations", view{Title: "Destinations", Nav: "destinations", Error: problem,
		Data: map[string]any{"Destinations": ds, "Quotas": h.store.Quotas()}})
	return nil
}

func (h *handler) addDestinationPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	kind := r.PostFormValue("kind")
	if kind != "email" && kind != "irc" {
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Choose email or IRC.")
	}
	d := prefs.Destination{Kind: kind, Address: strings.TrimSpace(r.PostFormValue("address")), Format: r.PostFormValue("format")}
	out, err := h.store.CreateDestination(r.Context(), u, d)
	var inv *prefs.InvalidError
	var qe *prefs.QuotaError
	switch {
	case errors.As(err, &inv):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, inv.Error())
	case errors.As(err, &qe):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Not added: "+qe.Error()+".")
	case errors.Is(err, prefs.ErrConflict):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "You already have that destination.")
	case err != nil:
		return err
	}
	h.flash(r, h.afterAdd(r, u, out))
	seeOther(w, r, "/destinations")
	return nil
}

// afterAdd starts the confirmation of a new destination and says what happens next.
func (h *handler) afterAdd(r *http.Request, u prefs.User, d prefs.Destination) string {
	err := h.sendConfirmation(r, u, d)
	var qe *prefs.QuotaError
	if errors.As(err, &qe) {
		return "Added " + d.Address + ", but no confirmation was sent: " + qe.Error() + "."
	}
	if err != nil {
		h.logger.WarnContext(r.Context(), "send confirmation", "user", u.Name, "destination", d.ID, "error", err)
		return "Added " + d.Address + ", but the confirmation could not be sent: try “send again” in a minute."
	}
	if d.Kind == "irc" {
		return "Added " + d.Address + ". The fmn bot is sending that nick a code: type it here to confirm."
	}
	return "Added " + d.Address + ". We sent it a confirmation link: open it to start receiving notifications."
}

func (h *handler) updateDestinationPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	enabled := r.PostFormValue("enabled") == "1"
	format := r.PostFormValue("format")
	count := formInt(r, "digest_max_count")
	upd := prefs.DestinationUpdate{Enabled: &enabled, Format: &format, DigestMaxCount: &count}
	delay := time.Duration(0)
	if s := strings.TrimSpace(r.PostFormValue("digest_max_delay")); s != "" {
		if delay, err = time.ParseDuration(s); err != nil {
			return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Digest delay: write a duration such as 30m or 2h.")
		}
	}
	upd.DigestMaxDelay = &delay
	err = h.store.UpdateDestination(r.Context(), u, id, upd)
	var inv *prefs.InvalidError
	if errors.As(err, &inv) {
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, inv.Error())
	}
	if err != nil {
		return err
	}
	h.flash(r, "Saved.")
	seeOther(w, r, "/destinations")
	return nil
}

func (h *handler) deleteDestinationPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteDestination(r.Context(), u, id); err != nil {
		return err
	}
	h.flash(r, "Deleted.")
	seeOther(w, r, "/destinations")
	return nil
}

// confirmCodePage confirms a destination with the code the bot sent.
func (h *handler) confirmCodePage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = h.store.ConfirmByCode(r.Context(), u, id, r.PostFormValue("code"))
	if prefs.IsConfirmationError(err) {
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Not confirmed: "+err.Error()+".")
	}
	if err != nil {
		return err
	}
	h.flash(r, "Confirmed.")
	seeOther(w, r, "/destinations")
	return nil
}

func (h *handler) resendConfirmationPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.store.Destination(r.Context(), u, id)
	if err != nil {
		return err
	}
	err = h.sendConfirmation(r, u, d)
	var qe *prefs.QuotaError
	switch {
	case prefs.IsConfirmationError(err):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, err.Error()+".")
	case errors.As(err, &qe):
		setRetryAfter(w, err)
		return h.renderDestinations(w, r, u, http.StatusTooManyRequests, "Not sent: "+qe.Error()+".")
	}
	if err != nil {
		return err
	}
	h.flash(r, "Sent. It can take a minute to arrive.")
	seeOther(w, r, "/destinations")
	return nil
}

// confirmLinkPage is the page of an emailed confirmation link: a button on GET, the confirmation
// on POST.
func (h *handler) confirmLinkPage(w http.ResponseWriter, r *http.Request) {
	secret := r.PathValue("secret")
	if r.Method == http.MethodGet {
		h.render(w, r, http.StatusOK, "confirm", view{Title: "Confirm notifications", Data: map[string]any{"Secret": secret}})
		return
	}
	_, d, err := h.store.ConfirmBySecret(r.Context(), secret)
	if prefs.IsConfirmationError(err) {
		h.render(w, r, http.StatusUnprocessableEntity, "error", view{Title: "Not confirmed", Data: err.Error() + "."})
		return
	}
	if err != nil {
		h.pageError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "confirm", view{Title: "Confirmed", Data: map[string]any{"Done": true, "Address": d.Address}})
}

// --- API tokens ---

func (h *handler) tokensPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	return h.renderTokens(w, r, u, http.StatusOK, "", "")
}

func (h *handler) renderTokens(w http.ResponseWriter, r *http.Request, u prefs.User, status int, problem, secret string) error {
	ts, err := h.store.APITokens(r.Context(), u)
	if err != nil {
		return err
	}
	h.render(w, r, status, "tokens", view{Title: "API tokens", Nav: "tokens", Error: problem,
		Data: map[string]any{"Tokens": ts, "NewToken": secret, "PublicURL": h.cfg.PublicURL}})
	return nil
}

// createTokenPage shows the new token's secret in the answer itself (never in a redirect or the
// session), once.
func (h *handler) createTokenPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	_, secret, err := h.store.CreateAPIToken(r.Context(), u, r.PostFormValue("name"))
	var inv *prefs.InvalidError
	var qe *prefs.QuotaError
	if errors.As(err, &inv) || errors.As(err, &qe) {
		return h.renderTokens(w, r, u, http.StatusUnprocessableEntity, err.Error()+".", "")
	}
	if err != nil {
		return err
	}
	return h.renderTokens(w, r, u, http.StatusCreated, "", secret)
}

func (h *handler) deleteTokenPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteAPIToken(r.Context(), u, id); err != nil {
		return err
	}
	h.flash(r, "Token revoked.")
	seeOther(w, r, "/tokens")
	return nil
}

// --- live ---

func (h *handler) livePage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	h.render(w, r, http.StatusOK, "live", view{Title: "Live", Nav: "live"})
	return nil
}

// liveToken issues a stream token for the logged-in user (the Live page's script asks for one).
func (h *handler) liveToken(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	h.writeStreamToken(w, u)
	return nil
}

// --- admin ---

func (h *handler) adminUsersPage(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	q := r.URL.Query().Get("q")
	us, err := h.store.Users(r.Context(), q, r.URL.Query().Get("after"), defaultPerPage)
	if err != nil {
		return err
	}
	total, err := h.store.CountUsers(r.Context())
	if err != nil {
		return err
	}
	next := ""
	if len(us) == defaultPerPage {
		next = us[len(us)-1].Name
	}
	h.render(w, r, http.StatusOK, "admin_users", view{Title: "Users", Nav: "admin",
		Data: map[string]any{"Users": us, "Total": total, "Query": q, "Next": next}})
	return nil
}

func (h *handler) adminDeadLettersPage(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	q := deadletter.Query{PerPage: defaultPerPage}
	if c, err := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64); err == nil && c > 0 {
		q.Before = c
	}
	ls, next, err := h.dead.List(r.Context(), q)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "admin_deadletters", view{Title: "Dead letters", Nav: "admin",
		Data: map[string]any{"Letters": ls, "Next": next}})
	return nil
}

func (h *handler) adminRedrivePage(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	if _, err := h.redrive(r); err != nil {
		return err
	}
	h.flash(r, "Re-driven.")
	seeOther(w, r, "/admin/dead-letters")
	return nil
}

func (h *handler) adminDeleteDeadLetterPage(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.dead.Delete(r.Context(), id); err != nil {
		return err
	}
	h.flash(r, "Deleted.")
	seeOther(w, r, "/admin/dead-letters")
	return nil
}

// statusView is the status page: the queues by role, with the processes they imply.
type statusView struct {
	queuestatus.Snapshot
	Workers, Backends, Consumers int
	Backlog                      int
}

func (h *handler) adminStatusPage(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	v := statusView{Snapshot: h.queueStatus()}
	for _, q := range v.Queues {
		switch q.Role {
		case queuestatus.RoleWork:
			v.Workers = q.Consumers
		case queuestatus.RoleBus:
			v.Consumers = q.Consumers
		case queuestatus.RoleDeliver:
			v.Backends = max(v.Backends, q.Consumers)
		}
		if q.Role != queuestatus.RoleDeadLetter {
			v.Backlog += q.Ready
		}
	}
	h.render(w, r, http.StatusOK, "admin_status", view{Title: "Status", Nav: "admin", Data: v})
	return nil
}
