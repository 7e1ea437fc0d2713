package ui

import (
	"errors"
	"net/http"

	"fmn/internal/web/param"
	"fmn/pkg/prefs"
)

// Tokens lists the user's API tokens.
func (h *Handler) Tokens(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	return h.renderTokens(w, r, u, http.StatusOK, "", "")
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, u prefs.User, status int, problem, secret string) error {
	ts, err := h.store.APITokens(r.Context(), u)
	if err != nil {
		return err
	}
	h.render(w, r, status, viewTokens, view{Title: "API tokens", Nav: "tokens", Error: problem,
		Data: map[string]any{"Tokens": ts, "NewToken": secret, "PublicURL": h.cfg.PublicURL}})
	return nil
}

// CreateToken shows the new token's secret in the answer itself (never in a redirect or the
// session), once.
func (h *Handler) CreateToken(w http.ResponseWriter, r *http.Request, u prefs.User) error {
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

// DeleteToken revokes an API token.
func (h *Handler) DeleteToken(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
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
