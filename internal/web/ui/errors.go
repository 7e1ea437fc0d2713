package ui

import (
	"errors"
	"net/http"

	"fmn/internal/web/auth"
	"fmn/internal/web/httperr"
	"fmn/internal/web/limit"
)

// Error renders err as an error page, with the same classification as the API.
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, err error) {
	limit.SetRetryAfter(w, err)
	status, msg := http.StatusUnauthorized, "Log in to use this page."
	if !errors.Is(err, auth.ErrUnauthenticated) {
		status, msg = httperr.Classify(h.logger, r, err)
	}
	h.render(w, r, status, viewError, view{Title: http.StatusText(status), Data: msg})
}
