package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"fmn/internal/deadletter"
	"fmn/internal/web/auth"
	"fmn/internal/web/httperr"
	"fmn/internal/web/param"
)

// defaultPerPage is the page size of the dead-letter list when per_page is not given.
const defaultPerPage = 50

// maxStageParam bounds the stage filter.
const maxStageParam = 64

// ListDeadLetters lists archived dead letters, newest first, without bodies. Query parameters:
// stage, since (RFC 3339), cursor (next_cursor of the previous page), per_page (1..100).
func (h *Handler) ListDeadLetters(w http.ResponseWriter, r *http.Request) error {
	q := deadletter.Query{PerPage: defaultPerPage}
	v := r.URL.Query()
	q.Stage = v.Get("stage")
	if len(q.Stage) > maxStageParam {
		return httperr.New(http.StatusBadRequest, "stage is too long")
	}
	if s := v.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return httperr.New(http.StatusBadRequest, "since must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
		q.Since = t
	}
	if s := v.Get("cursor"); s != "" {
		c, err := strconv.ParseInt(s, 10, 64)
		if err != nil || c <= 0 {
			return httperr.New(http.StatusBadRequest, "cursor must be the next_cursor of a previous page")
		}
		q.Before = c
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > deadletter.MaxPerPage {
			return httperr.New(http.StatusBadRequest, "per_page must be an integer from 1 to "+strconv.Itoa(deadletter.MaxPerPage))
		}
		q.PerPage = n
	}
	ls, next, err := h.dead.List(r.Context(), q)
	if err != nil {
		return err
	}
	out := map[string]any{"dead_letters": ls}
	if next != 0 {
		out["next_cursor"] = strconv.FormatInt(next, 10)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deadLetterView is one dead letter with its headers and body: the body as JSON when it is JSON,
// else base64.
type deadLetterView struct {
	deadletter.Letter
	Headers    json.RawMessage `json:"headers"`
	Body       json.RawMessage `json:"body,omitempty"`
	BodyBase64 []byte          `json:"body_base64,omitempty"`
}

func viewOf(l deadletter.Letter) deadLetterView {
	v := deadLetterView{Letter: l, Headers: l.Headers}
	if len(l.Body) > 0 && !l.Truncated && json.Valid(l.Body) {
		v.Body = l.Body
	} else {
		v.BodyBase64 = l.Body
	}
	return v
}

// GetDeadLetter returns a dead letter with its headers and body.
func (h *Handler) GetDeadLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.dead.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOf(l))
	return nil
}

// RedriveDeadLetter republishes a dead letter to its original exchange and routing key.
func (h *Handler) RedriveDeadLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.redriver.Redrive(r.Context(), id, auth.PrincipalFrom(r.Context()).User.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// DeleteDeadLetter deletes an archived dead letter.
func (h *Handler) DeleteDeadLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.dead.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
