package ui

import (
	"net/http"

	"fmn/internal/web/auth"
)

// Home sends people to their filters, or to the login page.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) {
	if _, err := h.auth.Authenticate(r); err == nil {
		seeOther(w, r, "/filters")
		return
	}
	seeOther(w, r, "/login")
}

// APIDoc shows the API's documentation (API.md, embedded).
func (h *Handler) APIDoc(w http.ResponseWriter, r *http.Request) {
	if p, err := h.auth.Authenticate(r); err == nil {
		r = r.WithContext(auth.WithPrincipal(r.Context(), p))
	}
	h.render(w, r, http.StatusOK, viewAPI, view{Title: "API", Data: h.cfg.APIDoc})
}
