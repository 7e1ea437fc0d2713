package api

import (
	"net/http"

	"fmn/internal/archive"
)

// ListMessages answers GET /api/v1/messages: a page of the message archive, datagrepper-style
// (see API.md). The archive is public, like datagrepper: no login.
func (h *Handler) ListMessages(w http.ResponseWriter, r *http.Request) {
	q, err := archive.ParseQuery(r.URL.Query(), h.now())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	res, err := h.archive.Search(r.Context(), q)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// GetMessage answers GET /api/v1/messages/{id}: one archived message by its bus id.
func (h *Handler) GetMessage(w http.ResponseWriter, r *http.Request) {
	m, err := h.archive.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}
