package ui

import (
	"bytes"
	"net/http"

	"fmn/internal/web/auth"
	"fmn/pkg/prefs"
)

// view is what every page template gets.
type view struct {
	Title string
	// Nav names the navigation entry to highlight.
	Nav   string
	User  *prefs.User
	Flash string
	// Error is a problem with the form just submitted, shown above it.
	Error string
	Data  any
}

// render writes view name with status. A template error is logged and becomes a plain 500: the
// page is rendered into a buffer first, so a half-written page never reaches the browser.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name viewName, v view) {
	if p := auth.PrincipalFrom(r.Context()); p.IsUser() && v.User == nil {
		v.User = &p.User
	}
	if v.Flash == "" && h.sessions != nil {
		v.Flash = h.sessions.PopString(r.Context(), flashKey)
	}
	var buf bytes.Buffer
	if err := h.engine.execute(&buf, name, v); err != nil {
		h.logger.ErrorContext(r.Context(), "render page", "page", name.String(), "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// flashKey is the session key of the one-time message shown on the next page.
const flashKey = "flash"

// flash sets the message the next page shows once.
func (h *Handler) flash(r *http.Request, msg string) { h.sessions.Put(r.Context(), flashKey, msg) }

// seeOther redirects after a successful form post (303, so the browser follows with GET).
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}
