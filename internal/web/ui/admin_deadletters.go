package ui

import (
	"net/http"
	"strconv"

	"fmn/internal/deadletter"
	"fmn/internal/web/param"
	"fmn/pkg/prefs"
)

// AdminDeadLetters lists the archived dead letters, newest first.
func (h *Handler) AdminDeadLetters(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	q := deadletter.Query{PerPage: perPage}
	if c, err := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64); err == nil && c > 0 {
		q.Before = c
	}
	ls, next, err := h.dead.List(r.Context(), q)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, viewAdminDeadLetters, view{Title: "Dead letters", Nav: "admin",
		Data: map[string]any{"Letters": ls, "Next": next}})
	return nil
}

// AdminRedrive re-drives a dead letter.
func (h *Handler) AdminRedrive(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.redriver.Redrive(r.Context(), id, u.Name); err != nil {
		return err
	}
	h.flash(r, "Re-driven.")
	seeOther(w, r, "/admin/dead-letters")
	return nil
}

// AdminDeleteDeadLetter deletes a dead letter.
func (h *Handler) AdminDeleteDeadLetter(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.dead.Delete(r.Context(), id); err != nil {
		return err
	}
	h.flash(r, "Deleted.")
	seeOther(w, r, "/admin/dead-letters")
	return nil
}
