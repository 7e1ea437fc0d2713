package web

import (
	"net/http"

	"fmn/internal/archive"
)

// listMessages answers GET /api/v1/messages: a page of the message archive, datagrepper-style
// (see API.md). The archive is public, like datagrepper: no login.
func (h *handler) listMessages(w http.ResponseWriter, r *http.Request) {
	q, err := archive.ParseQuery(r.URL.Query(), h.now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.archive.Search(r.Context(), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// getMessage answers GET /api/v1/messages/{id}: one archived message by its bus id.
func (h *handler) getMessage(w http.ResponseWriter, r *http.Request) {
	m, err := h.archive.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}
