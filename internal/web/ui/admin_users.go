package ui

import (
	"net/http"

	"fmn/pkg/prefs"
)

// AdminUsers lists users by name for administrators, with a name-prefix search.
func (h *Handler) AdminUsers(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	q := r.URL.Query().Get("q")
	us, err := h.store.Users(r.Context(), q, r.URL.Query().Get("after"), perPage)
	if err != nil {
		return err
	}
	total, err := h.store.CountUsers(r.Context())
	if err != nil {
		return err
	}
	next := ""
	if len(us) == perPage {
		next = us[len(us)-1].Name
	}
	h.render(w, r, http.StatusOK, viewAdminUsers, view{Title: "Users", Nav: "admin",
		Data: map[string]any{"Users": us, "Total": total, "Query": q, "Next": next}})
	return nil
}
