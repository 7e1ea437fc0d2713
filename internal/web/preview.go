package web

import (
	"errors"
	"net/http"
	"strconv"

	"fmn/internal/archive"
	"fmn/internal/preview"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// A preview looks at the archive's latest previewWindow messages of the last previewDays.
const (
	previewWindow = 5000
	previewDays   = 7
)

// preview evaluates u's filter f (saved or not) over the latest messages, within the user's
// preview rate (a *limitError past it).
func (h *handler) preview(r *http.Request, u prefs.User, f rules.Filter) (preview.Result, error) {
	ctx := r.Context()
	f.User = u.Name
	if err := f.Validate(); err != nil {
		return preview.Result{}, err
	}
	if err := h.checkPreviewRate(ctx, u.Name); err != nil {
		return preview.Result{}, err
	}
	own, err := h.store.OwnershipFor(ctx, u.Name, []rules.Filter{f})
	if err != nil {
		return preview.Result{}, err
	}
	msgs, err := h.archive.Latest(ctx, h.now().AddDate(0, 0, -previewDays), previewWindow)
	if err != nil {
		return preview.Result{}, err
	}
	return preview.Run(f, own, msgs, h.now())
}

// previewFilter is the API's preview: a filter in the body, what it would have matched.
func (h *handler) previewFilter(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	f, err := decodeFilter(r)
	if err != nil {
		return err
	}
	res, err := h.preview(r, u, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"scanned": res.Scanned, "matched": res.Matched, "oldest": res.Oldest,
		"newest": res.Newest, "by_topic": res.ByTopic, "by_app": res.ByApp, "samples": res.Samples})
	return nil
}

// whyFilter is one filter on the "why did I get this" page.
type whyFilter struct {
	rules.Filter
	Holds   []bool
	Matches bool
}

// whyPage explains a notification: the message (if the archive still has it) and, for
// each of the user's filters the link names, which conditions hold. Other users' filters are
// not found.
func (h *handler) whyPage(w http.ResponseWriter, r *http.Request, u prefs.User) error {
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
			return &apiError{http.StatusBadRequest, "filter must be a filter id"}
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
	h.render(w, r, http.StatusOK, "why", view{Title: "Why did I get this?", Nav: "filters", Data: data})
	return nil
}
