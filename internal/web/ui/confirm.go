package ui

import (
	"net/http"

	"fmn/pkg/prefs"
)

// ConfirmLink is the page of an emailed confirmation link: a button on GET, the confirmation
// on POST.
func (h *Handler) ConfirmLink(w http.ResponseWriter, r *http.Request) {
	secret := r.PathValue("secret")
	if r.Method == http.MethodGet {
		h.render(w, r, http.StatusOK, viewConfirm, view{Title: "Confirm notifications", Data: map[string]any{"Secret": secret}})
		return
	}
	_, d, err := h.store.ConfirmBySecret(r.Context(), secret)
	if prefs.IsConfirmationError(err) {
		h.render(w, r, http.StatusUnprocessableEntity, viewError, view{Title: "Not confirmed", Data: err.Error() + "."})
		return
	}
	if err != nil {
		h.Error(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, viewConfirm, view{Title: "Confirmed", Data: map[string]any{"Done": true, "Address": d.Address}})
}
