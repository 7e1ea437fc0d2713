package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"fmn/internal/deadletter"
	"fmn/internal/rabbit"
)

// defaultPerPage is the page size of the dead-letter list when per_page is not given.
const defaultPerPage = 50

// redriveTimeout bounds a re-drive: it holds the letter's row lock while it waits for the
// broker's confirm, and the broker may be unreachable.
const redriveTimeout = 30 * time.Second

// maxStageParam bounds the stage filter.
const maxStageParam = 64

// listDeadLetters lists archived dead letters, newest first, without bodies. Query parameters:
// stage, since (RFC 3339), cursor (next_cursor of the previous page), per_page (1..100).
func (h *handler) listDeadLetters(w http.ResponseWriter, r *http.Request) error {
	q := deadletter.Query{PerPage: defaultPerPage}
	v := r.URL.Query()
	q.Stage = v.Get("stage")
	if len(q.Stage) > maxStageParam {
		return &apiError{http.StatusBadRequest, "stage is too long"}
	}
	if s := v.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return &apiError{http.StatusBadRequest, "since must be an RFC 3339 time such as 2026-01-02T15:04:05Z"}
		}
		q.Since = t
	}
	if s := v.Get("cursor"); s != "" {
		c, err := strconv.ParseInt(s, 10, 64)
		if err != nil || c <= 0 {
			return &apiError{http.StatusBadRequest, "cursor must be the next_cursor of a previous page"}
		}
		q.Before = c
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > deadletter.MaxPerPage {
			return &apiError{http.StatusBadRequest, "per_page must be an integer from 1 to " + strconv.Itoa(deadletter.MaxPerPage)}
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

func (h *handler) getDeadLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
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

// redriveDeadLetter republishes a dead letter to its original exchange and routing key.
func (h *handler) redriveDeadLetter(w http.ResponseWriter, r *http.Request) error {
	l, err := h.redrive(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// redrive re-drives the dead letter of the {id} path value, for the API and the admin page.
func (h *handler) redrive(r *http.Request) (deadletter.Letter, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return deadletter.Letter{}, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), redriveTimeout)
	defer cancel()
	l, err := h.redriver.Redrive(ctx, id, h.now())
	switch {
	case errors.Is(err, deadletter.ErrTruncated):
		return l, &apiError{http.StatusConflict, "cannot re-drive: " + deadletter.ErrTruncated.Error()}
	case errors.Is(err, deadletter.ErrNotRedrivable):
		return l, &apiError{http.StatusConflict, "cannot re-drive: " + deadletter.ErrNotRedrivable.Error()}
	case errors.Is(err, rabbit.ErrUnroutable):
		return l, &apiError{http.StatusConflict, "cannot re-drive: no queue is bound for the original exchange and routing key"}
	case err != nil:
		return l, err
	}
	h.redriven.Inc()
	h.logger.InfoContext(r.Context(), "dead letter re-driven", "id", l.ID, "stage", l.Stage, "message_id", l.MessageID,
		"exchange", l.OriginalExchange, "routing_key", l.OriginalRoutingKey, "redrive_count", l.RedriveCount,
		"by", principalOf(r.Context()).user.Name)
	return l, nil
}

func (h *handler) deleteDeadLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.dead.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
