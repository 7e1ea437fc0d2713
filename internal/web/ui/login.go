package ui

import (
	"net/http"

	"fmn/internal/web/auth"
)

// LoginPage shows the login form; a logged-in person goes on to next.
func (h *Handler) LoginPage(w http.ResponseWriter, r *http.Request) {
	next := auth.SafeNext(r.URL.Query().Get("next"))
	if _, err := h.auth.Authenticate(r); err == nil {
		seeOther(w, r, next)
		return
	}
	h.LoginForm(w, r, http.StatusOK, next, "")
}

// LoginForm shows the login form with status (auth.Pages): the login methods configured, where
// a login goes (next) and what went wrong with the last attempt (problem, or none).
func (h *Handler) LoginForm(w http.ResponseWriter, r *http.Request, status int, next, problem string) {
	h.render(w, r, status, viewLogin, view{Title: "Log in", Error: problem,
		Data: map[string]any{"OIDC": h.cfg.OIDC, "Dev": h.cfg.DevLogin, "Next": next}})
}
