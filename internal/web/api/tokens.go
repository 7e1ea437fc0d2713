package api

import "net/http"

// ListTokens lists the API tokens of the user of the path (without their secrets).
func (h *Handler) ListTokens(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ts, err := h.store.APITokens(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": ts})
	return nil
}

// CreateToken creates an API token; the answer holds its secret, shown this once.
func (h *Handler) CreateToken(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, secret, err := h.store.CreateAPIToken(r.Context(), u, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "name": t.Name, "created_at": t.CreatedAt, "token": secret})
	return nil
}

// DeleteToken revokes an API token of the user of the path.
func (h *Handler) DeleteToken(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteAPIToken(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
