package web

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/deadletter"
	"fmn/internal/mutetoken"
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
}

// routes is the whole route table.
func (h *handler) routes(mux *http.ServeMux) {
	api := func(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
		mux.Handle(pattern, h.admin(fn))
	}
	api("POST /api/v1/users", h.createUser)
	api("GET /api/v1/users/{user}", h.getUser)
	api("POST /api/v1/users/{user}/destinations", h.createDestination)
	api("GET /api/v1/users/{user}/destinations", h.listDestinations)
	api("POST /api/v1/users/{user}/destinations/{id}/confirm", h.confirmDestination)
	api("POST /api/v1/users/{user}/filters", h.createFilter)
	api("GET /api/v1/users/{user}/filters", h.listFilters)
	api("POST /api/v1/users/{user}/stream-token", h.streamToken)
	api("PATCH /api/v1/users/{user}/destinations/{id}", h.updateDestination)
	api("DELETE /api/v1/users/{user}/destinations/{id}", h.deleteDestination)
	api("GET /api/v1/users/{user}/filters/{id}", h.getFilter)
	api("PUT /api/v1/users/{user}/filters/{id}", h.updateFilter)
	api("DELETE /api/v1/users/{user}/filters/{id}", h.deleteFilter)
	api("POST /api/v1/ownership", h.applyOwnership)
	api("GET /api/v1/admin/dead-letters", h.listDeadLetters)
	api("GET /api/v1/admin/dead-letters/{id}", h.getDeadLetter)
	api("POST /api/v1/admin/dead-letters/{id}/redrive", h.redriveDeadLetter)
	api("DELETE /api/v1/admin/dead-letters/{id}", h.deleteDeadLetter)
	if h.muter != nil {
		mux.HandleFunc("GET /mute", h.muteForm)
		mux.HandleFunc("POST /mute", h.mute)
	}
}

// apiError is an error with the status and text the client sees.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// admin authorises a request by the admin bearer token and renders the handler's error.
func (h *handler) admin(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := h.cfg.AdminToken.Value()
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case want == "":
			h.fail(w, r, &apiError{http.StatusForbidden, "the API is disabled: no admin token is configured"})
		case !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
			w.Header().Set("WWW-Authenticate", `Bearer realm="fmn"`)
			h.fail(w, r, &apiError{http.StatusUnauthorized, "missing or wrong bearer token"})
		default:
			if err := fn(w, r); err != nil {
				h.fail(w, r, err)
			}
		}
	})
}

// fail renders err: user-safe text for expected errors, a generic 500 otherwise.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var inv *prefs.InvalidError
	var ve *rules.ValidationError
	var mbe *http.MaxBytesError
	status, msg := http.StatusInternalServerError, "internal error"
	switch {
	case errors.As(err, &ae):
		status, msg = ae.status, ae.msg
	case errors.As(err, &inv):
		status, msg = http.StatusUnprocessableEntity, inv.Error()
	case errors.As(err, &ve):
		status, msg = http.StatusUnprocessableEntity, ve.Error()
	case errors.As(err, &mbe):
		status, msg = http.StatusRequestEntityTooLarge, "request body too large"
	case errors.Is(err, prefs.ErrNotFound), errors.Is(err, deadletter.ErrNotFound):
		status, msg = http.StatusNotFound, "not found"
	case errors.Is(err, prefs.ErrConflict):
		status, msg = http.StatusConflict, "already exists"
	}
	if status >= 500 {
		h.logger.ErrorContext(r.Context(), "api request", "method", r.Method, "path", r.URL.Path, "error", err)
	} else {
		h.logger.DebugContext(r.Context(), "api request refused", "method", r.Method, "path", r.URL.Path, "status", status)
	}
	writeJSON(w, status, map[string]string{"error": msg})
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

// user loads the user named in the path.
func (h *handler) user(r *http.Request) (prefs.User, error) {
	return h.store.UserByName(r.Context(), r.PathValue("user"))
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := h.store.CreateUser(r.Context(), in.Name, in.Email)
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

// confirmDestination marks a destination confirmed. Users confirm by link or IRC code later; an
// administrator can confirm directly.
func (h *handler) confirmDestination(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	if err := h.store.ConfirmDestination(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
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
	writeJSON(w, http.StatusOK, map[string]any{"filters": fs})
	return nil
}

// streamToken issues a short-lived token for the user's SSE stream.
func (h *handler) streamToken(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	now := h.now()
	tok := h.signer.Issue(u.Name, now, h.cfg.StreamTokenTTL)
	writeJSON(w, http.StatusOK, map[string]any{
		"token":      tok,
		"expires_at": now.Add(h.cfg.StreamTokenTTL).UTC(),
		"stream_url": h.cfg.StreamURL + "?token=" + url.QueryEscape(tok),
	})
	return nil
}
