package api

import (
	"net/http"
	"net/url"

	"fmn/pkg/prefs"
)

// StreamToken issues a short-lived token for the user's SSE stream.
func (h *Handler) StreamToken(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	return h.WriteStreamToken(w, r, u)
}

// WriteStreamToken answers with a new stream token for u and the URL to use it on (also the Live
// page's POST /live/token, for the logged-in user).
func (h *Handler) WriteStreamToken(w http.ResponseWriter, _ *http.Request, u prefs.User) error {
	now := h.now()
	tok := h.signer.Issue(u.Name, now, h.cfg.StreamTokenTTL)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"token":      tok,
		"expires_at": now.Add(h.cfg.StreamTokenTTL).UTC(),
		"stream_url": h.cfg.StreamURL + "?token=" + url.QueryEscape(tok),
	})
	return nil
}
