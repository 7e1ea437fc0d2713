package ui

// The mute pages answer the List-Unsubscribe links of notification emails (RFC 8058): a mail
// client's one-click unsubscribe POSTs to the link, and a person who opens it in a browser gets
// a page with a button that does the same. GET never changes anything, so link scanners that
// prefetch it mute nothing. The signed token is the authorisation: it names the user, the
// destination the email went to and the filters that sent it, and expires (see mutetoken).

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"fmn/internal/mutetoken"
	"fmn/pkg/prefs"
)

// muteView is what the mute page shows: the form of a valid link, or a message.
type muteView struct {
	Form    bool
	Action  string
	Count   int
	Message string
}

// Pages of refused mute links.
const (
	muteInvalid = "This mute link is not valid."
	muteStale   = "This mute link is from an older format or has expired: log in to turn the filter off."
	muteGone    = "This mute link is for an account or an address that no longer exists: log in to turn the filter off."
	muteFailed  = "Something went wrong; please try again later."
)

// muteClaims verifies the mute token of r and resolves its user: the account of the token's name
// that still owns the destination the email went to. A recreated account of the same name does
// not: destination ids are never reused. On refusal ok is false and the page has been written.
func (h *Handler) muteClaims(w http.ResponseWriter, r *http.Request) (u prefs.User, c mutetoken.Claims, ok bool) {
	c, err := h.muter.Verify(r.URL.Query().Get("token"), h.now())
	switch {
	case errors.Is(err, mutetoken.ErrExpired), errors.Is(err, mutetoken.ErrOldFormat):
		h.mutePage(w, http.StatusGone, muteView{Message: muteStale})
		return u, c, false
	case err != nil:
		h.mutePage(w, http.StatusBadRequest, muteView{Message: muteInvalid})
		return u, c, false
	}
	ctx := r.Context()
	u, err = h.store.UserByName(ctx, c.User)
	if err == nil {
		_, err = h.store.Destination(ctx, u, c.Destination)
	}
	if errors.Is(err, prefs.ErrNotFound) {
		h.mutePage(w, http.StatusNotFound, muteView{Message: muteGone})
		return u, c, false
	}
	if err != nil {
		h.logger.ErrorContext(ctx, "mute: look up user", "error", err)
		h.mutePage(w, http.StatusInternalServerError, muteView{Message: muteFailed})
		return u, c, false
	}
	return u, c, true
}

// MuteForm shows the confirmation page of a mute link.
func (h *Handler) MuteForm(w http.ResponseWriter, r *http.Request) {
	_, c, ok := h.muteClaims(w, r)
	if !ok {
		return
	}
	h.mutePage(w, http.StatusOK, muteView{Form: true, Action: "/mute?token=" + url.QueryEscape(r.URL.Query().Get("token")), Count: len(c.Filters)})
}

// Mute disables the filters a mute token names.
func (h *Handler) Mute(w http.ResponseWriter, r *http.Request) {
	u, c, ok := h.muteClaims(w, r)
	if !ok {
		return
	}
	n, err := h.store.DisableFilters(r.Context(), u, c.Filters)
	if err != nil {
		h.logger.ErrorContext(r.Context(), "mute: disable filters", "error", err)
		h.mutePage(w, http.StatusInternalServerError, muteView{Message: muteFailed})
		return
	}
	h.logger.InfoContext(r.Context(), "filters muted from an email", "disabled", n)
	h.mutePage(w, http.StatusOK, muteView{Message: "Muted. You can turn these notifications on again in your settings."})
}

func (h *Handler) mutePage(w http.ResponseWriter, status int, v muteView) {
	var b bytes.Buffer
	if err := h.engine.execute(&b, viewMute, v); err != nil {
		h.logger.Error("render mute page", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
