package api

import (
	"net/http"

	"fmn/pkg/rules"
)

// filterInput is a filter as the API takes it.
type filterInput struct {
	Name         string            `json:"name"`
	Enabled      *bool             `json:"enabled"`
	OneShot      bool              `json:"one_shot"`
	Destinations []int64           `json:"destinations"`
	Conditions   []rules.Condition `json:"conditions"`
}

func decodeFilter(r *http.Request) (rules.Filter, error) {
	var in filterInput
	if err := decode(r, &in); err != nil {
		return rules.Filter{}, err
	}
	return rules.Filter{Name: in.Name, Enabled: in.Enabled == nil || *in.Enabled, OneShot: in.OneShot,
		Destinations: in.Destinations, Conditions: in.Conditions}, nil
}

// CreateFilter creates a filter of the user of the path.
func (h *Handler) CreateFilter(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	f, err := decodeFilter(r)
	if err != nil {
		return err
	}
	out, err := h.store.CreateFilter(r.Context(), u, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// ListFilters lists the filters of the user of the path, with their hits of the last seven days.
func (h *Handler) ListFilters(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	fs, err := h.store.Filters(r.Context(), u)
	if err != nil {
		return err
	}
	counts := h.hits.Of(r.Context(), fs)
	type filterWithHits struct {
		rules.Filter
		Hits7d int64 `json:"hits_7d"`
	}
	out := make([]filterWithHits, len(fs))
	for i, f := range fs {
		out[i] = filterWithHits{Filter: f, Hits7d: counts[f.ID]}
	}
	writeJSON(w, http.StatusOK, map[string]any{"filters": out})
	return nil
}

// GetFilter returns a filter of the user of the path.
func (h *Handler) GetFilter(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	f, err := h.store.Filter(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// UpdateFilter replaces a filter of the user of the path.
func (h *Handler) UpdateFilter(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	f, err := decodeFilter(r)
	if err != nil {
		return err
	}
	f.ID = id
	out, err := h.store.UpdateFilter(r.Context(), u, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// DeleteFilter deletes a filter of the user of the path.
func (h *Handler) DeleteFilter(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteFilter(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
