package ui

import (
	"net/http"
	"strings"

	"fmn/internal/web/param"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// filterRow is a line of the filter list.
type filterRow struct {
	rules.Filter
	Hits         int64
	Destinations []string
	// Skipped says why the matcher skips the filter (it takes the user past the budget: the
	// quotas were lowered, or it was stored before them); empty when it runs.
	Skipped string
}

// filterUsage is what a user's filters take of their quotas, for the filters page.
type filterUsage struct {
	Filters int
	rules.Weight
	Quotas prefs.Quotas
}

// Filters lists the user's filters with their recent hits, the presets to start a new one from
// and what they take of the quotas.
func (h *Handler) Filters(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	ctx := r.Context()
	fs, err := h.store.Filters(ctx, u)
	if err != nil {
		return err
	}
	ds, err := h.store.Destinations(ctx, u)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(ds))
	for _, d := range ds {
		names[d.ID] = d.Kind + ": " + d.Address
	}
	hits := h.hits.Of(r.Context(), fs)
	skipped := map[int64]string{}
	for _, inv := range h.store.Quotas().Budget().OverBudget(fs) {
		skipped[inv.ID] = inv.Reason
	}
	rows := make([]filterRow, len(fs))
	var weight rules.Weight
	for i, f := range fs {
		weight = weight.Add(f.Weight())
		rows[i] = filterRow{Filter: f, Hits: hits[f.ID], Skipped: skipped[f.ID]}
		for _, id := range f.Destinations {
			rows[i].Destinations = append(rows[i].Destinations, names[id])
		}
	}
	h.render(w, r, http.StatusOK, viewFilters, view{Title: "Filters", Nav: "filters",
		Data: map[string]any{"Filters": rows, "Presets": presets(), "Usage": filterUsage{Filters: len(fs), Weight: weight,
			Quotas: h.store.Quotas()}}})
	return nil
}

// EnableFilter turns a filter on or off (the path ends in /enable or /disable).
func (h *Handler) EnableFilter(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	enable := strings.HasSuffix(r.URL.Path, "/enable")
	if err := h.store.SetFilterEnabled(r.Context(), u, id, enable); err != nil {
		return err
	}
	seeOther(w, r, "/filters")
	return nil
}

// DeleteFilter deletes a filter.
func (h *Handler) DeleteFilter(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteFilter(r.Context(), u, id); err != nil {
		return err
	}
	h.flash(r, "Filter deleted.")
	seeOther(w, r, "/filters")
	return nil
}
