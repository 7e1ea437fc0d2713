package ui

import (
	"errors"
	"net/http"
	"strconv"

	"fmn/internal/archive"
	"fmn/internal/preview"
	"fmn/internal/web/httperr"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// whyFilter is one filter on the "why did I get this" page.
type whyFilter struct {
	rules.Filter
	Holds   []bool
	Matches bool
}

// Why explains a notification: the message (if the archive still has it) and, for
// each of the user's filters the link names, which conditions hold. Other users' filters are
// not found.
func (h *Handler) Why(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	ctx := r.Context()
	q := r.URL.Query()
	data := map[string]any{"MessageID": q.Get("message")}
	msg, err := h.archive.Find(ctx, q.Get("message"))
	switch {
	case errors.Is(err, archive.ErrNotFound):
		msg = message.Message{}
	case err != nil:
		return err
	default:
		data["Message"] = msg
	}
	var fs []whyFilter
	for _, s := range q["filter"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return httperr.New(http.StatusBadRequest, "filter must be a filter id")
		}
		f, err := h.store.Filter(ctx, u, id)
		if errors.Is(err, prefs.ErrNotFound) {
			continue // deleted since, or not this user's
		}
		if err != nil {
			return err
		}
		wf := whyFilter{Filter: f}
		if data["Message"] != nil {
			own, err := h.store.OwnershipFor(ctx, u.Name, []rules.Filter{f})
			if err != nil {
				return err
			}
			if wf.Holds, wf.Matches, err = preview.Explain(f, own, msg, h.now()); err != nil {
				return err
			}
		}
		fs = append(fs, wf)
	}
	data["Filters"] = fs
	h.render(w, r, http.StatusOK, viewWhy, view{Title: "Why did I get this?", Nav: "filters", Data: data})
	return nil
}
