package api

import "net/http"

// PreviewFilter is the API's preview: a filter in the body, what it would have matched.
func (h *Handler) PreviewFilter(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	f, err := decodeFilter(r)
	if err != nil {
		return err
	}
	res, err := h.previews.Run(r.Context(), u.Name, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"scanned": res.Scanned, "matched": res.Matched, "oldest": res.Oldest,
		"newest": res.Newest, "by_topic": res.ByTopic, "by_app": res.ByApp, "samples": res.Samples})
	return nil
}
