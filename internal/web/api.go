package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/archive"
	"fmn/internal/confirm"
	"fmn/internal/deadletter"
	"fmn/internal/hits"
	"fmn/internal/mutetoken"
	"fmn/internal/oidclogin"
	"fmn/internal/queuestatus"
	"fmn/internal/ratelimit"
	"fmn/internal/ssetoken"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

type handler struct {
	cfg    Config
	logger *slog.Logger
	now    func() time.Time
	store  *pgstore.Store
	signer *ssetoken.Signer
	// muter verifies mute links; nil when FMN_MUTE_SECRET is unset (no /mute routes).
	muter    *mutetoken.Signer
	dead     *deadletter.Store
	redriver *deadletter.Redriver
	redriven prometheus.Counter
	// sessions are the browser logins (in Redis, shared by replicas).
	sessions *scs.SessionManager
	pages    pages
	hits     *hits.Store
	// archive is the message history: previews, "why", GET /api/v1/messages.
	archive *archive.Store
	// oidc logs people in through the OpenID provider; nil when none is configured.
	oidc *oidclogin.Client
	// confirmations sends confirmation links and codes through the backends; nil in tests without
	// a broker.
	confirmations *confirm.Sender
	// status samples the broker's queues for the status page; nil in tests without a broker.
	status *queuestatus.Sampler
	// apiRate limits requests (API and pages) per user, token or (public routes) address.
	apiRate *ratelimit.Limiter
	// previewRate limits preview runs per user.
	previewRate *ratelimit.Limiter
	// revocations ends a user's sessions and streams everywhere (logout everywhere, deletion).
	revocations *revocations
}

// routeMux is where routes are registered: the server's http.ServeMux, or a recorder listing them
// (RoutePatterns). It has no HandleFunc on purpose: every route goes through one of the wrappers
// (apiRoute, page, publicRoute, publicPage), which all count it against a rate limit.
type routeMux interface {
	Handle(pattern string, handler http.Handler)
}

// patternRecorder is a routeMux that only records the patterns.
type patternRecorder []string

func (p *patternRecorder) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }

// RoutePatterns lists every route of the web app ("METHOD /path/{param}"), including the one-click
// mute routes, so that tests can check they cover them all (the authorization matrix).
func RoutePatterns() []string {
	var rec patternRecorder
	(&handler{muter: &mutetoken.Signer{}}).routes(&rec)
	return rec
}

// routes is the whole route table.
func (h *handler) routes(mux routeMux) {
	api := func(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
		mux.Handle(pattern, h.apiRoute(false, fn))
	}
	admin := func(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
		mux.Handle(pattern, h.apiRoute(true, fn))
	}
	admin("POST /api/v1/users", h.createUser)
	api("GET /api/v1/me", h.me)
	api("GET /api/v1/users/{user}", h.getUser)
	api("DELETE /api/v1/users/{user}", h.deleteUser)
	api("POST /api/v1/users/{user}/destinations", h.createDestination)
	api("GET /api/v1/users/{user}/destinations", h.listDestinations)
	api("POST /api/v1/users/{user}/destinations/{id}/confirm", h.confirmDestination)
	api("POST /api/v1/users/{user}/destinations/{id}/send-confirmation", h.sendConfirmationAPI)
	mux.Handle("POST /api/v1/confirm", h.publicRoute(h.confirmBySecretAPI))
	api("POST /api/v1/users/{user}/filters", h.createFilter)
	api("GET /api/v1/users/{user}/filters", h.listFilters)
	api("POST /api/v1/users/{user}/filters/preview", h.previewFilter)
	api("POST /api/v1/users/{user}/stream-token", h.streamToken)
	api("PATCH /api/v1/users/{user}/destinations/{id}", h.updateDestination)
	api("DELETE /api/v1/users/{user}/destinations/{id}", h.deleteDestination)
	api("GET /api/v1/users/{user}/filters/{id}", h.getFilter)
	api("PUT /api/v1/users/{user}/filters/{id}", h.updateFilter)
	api("DELETE /api/v1/users/{user}/filters/{id}", h.deleteFilter)
	api("GET /api/v1/users/{user}/tokens", h.listTokens)
	api("POST /api/v1/users/{user}/tokens", h.createToken)
	api("DELETE /api/v1/users/{user}/tokens/{id}", h.deleteToken)
	admin("GET /api/v1/admin/users", h.listUsers)
	admin("GET /api/v1/admin/status", h.getStatus)
	admin("POST /api/v1/ownership", h.applyOwnership)
	admin("GET /api/v1/admin/dead-letters", h.listDeadLetters)
	admin("GET /api/v1/admin/dead-letters/{id}", h.getDeadLetter)
	admin("POST /api/v1/admin/dead-letters/{id}/redrive", h.redriveDeadLetter)
	admin("DELETE /api/v1/admin/dead-letters/{id}", h.deleteDeadLetter)
	mux.Handle("GET /api/v1/messages", h.publicRoute(h.listMessages)) // public, like datagrepper
	mux.Handle("GET /api/v1/messages/{id}", h.publicRoute(h.getMessage))
	if h.muter != nil {
		mux.Handle("GET /mute", h.publicPage(h.muteForm))
		mux.Handle("POST /mute", h.publicPage(h.mute))
	}
	h.pageRoutes(mux)
}

// apiError is an error with the status and text the client sees.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// fail renders err as JSON.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	setRetryAfter(w, err)
	status, msg := h.classify(r, err)
	body := map[string]any{"error": msg}
	if pe := (*archive.ParamError)(nil); errors.As(err, &pe) {
		body["param"] = pe.Param
	}
	if qe := (*prefs.QuotaError)(nil); errors.As(err, &qe) {
		body["quota"], body["limit"] = qe.Quota, qe.Limit
	}
	writeJSON(w, status, body)
}

// classify gives err's status and user-safe text (a generic one for unexpected errors, which it
// logs).
func (h *handler) classify(r *http.Request, err error) (int, string) {
	var ae *apiError
	var inv *prefs.InvalidError
	var ve *rules.ValidationError
	var mbe *http.MaxBytesError
	var pe *archive.ParamError
	var le *limitError
	var qe *prefs.QuotaError
	status, msg := http.StatusInternalServerError, "internal error"
	switch {
	case errors.As(err, &ae):
		status, msg = ae.status, ae.msg
	case errors.As(err, &le):
		status, msg = http.StatusTooManyRequests, le.Error()
	case errors.As(err, &qe) && qe.RetryAfter > 0:
		status, msg = http.StatusTooManyRequests, qe.Error()
	case errors.As(err, &qe):
		status, msg = http.StatusUnprocessableEntity, qe.Error()
	case errors.As(err, &inv):
		status, msg = http.StatusUnprocessableEntity, inv.Error()
	case errors.As(err, &ve):
		status, msg = http.StatusUnprocessableEntity, ve.Error()
	case prefs.IsConfirmationError(err):
		status, msg = http.StatusUnprocessableEntity, err.Error()
	case errors.As(err, &pe):
		status, msg = http.StatusBadRequest, pe.Error()
	case errors.As(err, &mbe):
		status, msg = http.StatusRequestEntityTooLarge, "request body too large"
	case errors.Is(err, prefs.ErrNotFound), errors.Is(err, deadletter.ErrNotFound), errors.Is(err, archive.ErrNotFound):
		status, msg = http.StatusNotFound, "not found"
	case errors.Is(err, archive.ErrTooSlow):
		status, msg = http.StatusServiceUnavailable, err.Error()
	case errors.Is(err, prefs.ErrConflict):
		status, msg = http.StatusConflict, "already exists"
	}
	if status >= 500 {
		h.logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	} else {
		h.logger.DebugContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", status)
	}
	return status, msg
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body strictly.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return &apiError{http.StatusBadRequest, "invalid JSON body: " + err.Error()}
	}
	return nil
}

// user loads the user named in the path (apiRoute has checked that the principal may act for
// them).
func (h *handler) user(r *http.Request) (prefs.User, error) {
	if p := principalOf(r.Context()); p.isUser() && p.user.Name == r.PathValue("user") {
		return p.user, nil
	}
	return h.store.UserByName(r.Context(), r.PathValue("user"))
}

// me returns the authenticated user.
func (h *handler) me(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r.Context())
	if !p.isUser() {
		return &apiError{http.StatusNotFound, "the admin token is no user"}
	}
	writeJSON(w, http.StatusOK, p.user)
	return nil
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		// OIDCSubject is the OpenID subject of the account's owner, when the operator knows it:
		// an account created before its first login is bound to none otherwise.
		OIDCSubject string `json:"oidc_subject"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := h.store.CreateUserWithSubject(r.Context(), in.Name, in.Email, in.OIDCSubject)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (h *handler) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (h *handler) createDestination(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind           string `json:"kind"`
		Address        string `json:"address"`
		Format         string `json:"format"`
		DigestMaxDelay string `json:"digest_max_delay"`
		DigestMaxCount int    `json:"digest_max_count"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	d := prefs.Destination{Kind: in.Kind, Address: in.Address, Format: in.Format, DigestMaxCount: in.DigestMaxCount}
	if in.DigestMaxDelay != "" {
		if d.DigestMaxDelay, err = time.ParseDuration(in.DigestMaxDelay); err != nil {
			return &prefs.InvalidError{Field: "digest_max_delay", Reason: "is not a duration such as 30m"}
		}
	}
	out, err := h.store.CreateDestination(r.Context(), u, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handler) listDestinations(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ds, err := h.store.Destinations(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"destinations": ds})
	return nil
}

// confirmDestination confirms a destination with the code the bot sent (IRC) or the secret of the
// link (email): {"code": "..."}. An administrator may confirm without one.
func (h *handler) confirmDestination(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	var in struct {
		Code string `json:"code"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	switch {
	case in.Code != "":
		err = h.store.ConfirmByCode(r.Context(), u, id, in.Code)
	case principalOf(r.Context()).admin:
		err = h.store.ConfirmDestination(r.Context(), u, id)
	default:
		return &prefs.InvalidError{Field: "code", Reason: "is required: the code the bot sent, or the secret of the emailed link"}
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sendConfirmationAPI sends a destination a new confirmation link or code.
func (h *handler) sendConfirmationAPI(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	d, err := h.store.Destination(r.Context(), u, id)
	if err != nil {
		return err
	}
	if err := h.sendConfirmation(r, u, d); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// confirmBySecretAPI confirms by the secret of an emailed link: {"secret": "..."}. The secret is
// the authority, so no login is needed.
func (h *handler) confirmBySecretAPI(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Secret string `json:"secret"`
	}
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	_, d, err := h.store.ConfirmBySecret(r.Context(), in.Secret)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// sendConfirmation begins a confirmation of d and sends its link or code.
func (h *handler) sendConfirmation(r *http.Request, u prefs.User, d prefs.Destination) error {
	if h.confirmations == nil {
		return errors.New("confirmations cannot be sent: no broker")
	}
	c, err := h.store.BeginConfirmation(r.Context(), u, d.ID)
	if err != nil {
		return err
	}
	if err := h.confirmations.Send(r.Context(), u, d, c); err != nil {
		return fmt.Errorf("send confirmation: %w", err)
	}
	return nil
}

func (h *handler) createFilter(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	f, err := decodeFilter(r)
	if err != nil {
		return err
	}
	out, err := h.store.CreateFilter(r.Context(), u, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handler) listFilters(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	fs, err := h.store.Filters(r.Context(), u)
	if err != nil {
		return err
	}
	counts := h.filterHits(r, fs)
	type filterWithHits struct {
		rules.Filter
		Hits7d int64 `json:"hits_7d"`
	}
	out := make([]filterWithHits, len(fs))
	for i, f := range fs {
		out[i] = filterWithHits{Filter: f, Hits7d: counts[f.ID]}
	}
	writeJSON(w, http.StatusOK, map[string]any{"filters": out})
	return nil
}

// streamToken issues a short-lived token for the user's SSE stream.
func (h *handler) streamToken(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	h.writeStreamToken(w, u)
	return nil
}

// writeStreamToken answers with a new stream token for u and the URL to use it on.
func (h *handler) writeStreamToken(w http.ResponseWriter, u prefs.User) {
	now := h.now()
	tok := h.signer.Issue(u.Name, now, h.cfg.StreamTokenTTL)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"token":      tok,
		"expires_at": now.Add(h.cfg.StreamTokenTTL).UTC(),
		"stream_url": h.cfg.StreamURL + "?token=" + url.QueryEscape(tok),
	})
}

// getStatus returns the latest sample of the broker's queues.
func (h *handler) getStatus(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, h.queueStatus())
	return nil
}

// queueStatus is the latest queue sample; empty before the first or without a sampler.
func (h *handler) queueStatus() queuestatus.Snapshot {
	if h.status == nil {
		return queuestatus.Snapshot{Err: "no queue sampler runs in this process"}
	}
	return h.status.Latest()
}
