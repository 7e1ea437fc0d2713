package api

import "net/http"

// GetStatus returns the latest sample of the broker's queues.
func (h *Handler) GetStatus(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, h.status())
	return nil
}
