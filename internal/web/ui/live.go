package ui

import (
	"net/http"

	"fmn/pkg/prefs"
)

// Live shows the live stream of the user's notifications (its script asks for a stream token).
func (h *Handler) Live(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	h.render(w, r, http.StatusOK, viewLive, view{Title: "Live", Nav: "live"})
	return nil
}
