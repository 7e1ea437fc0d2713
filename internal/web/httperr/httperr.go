// Package httperr is what the web app's faces (the JSON API and the HTML pages) answer for an
// error: an *Error carries the status and text a client sees, and Classify gives any error its
// status and user-safe text, the same for both faces.
package httperr

import (
	"errors"
	"log/slog"
	"net/http"

	"fmn/internal/archive"
	"fmn/internal/deadletter"
	"fmn/internal/web/limit"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// Error is an error with the status and text the client sees.
type Error struct {
	Status int
	Msg    string
}

// New returns an *Error with status and msg.
func New(status int, msg string) *Error { return &Error{Status: status, Msg: msg} }

// Error returns the text the client sees.
func (e *Error) Error() string { return e.Msg }

// Classify gives err's status and user-safe text (a generic one for unexpected errors). It logs
// the error of a 5xx, and the refusal of a 4xx at Debug.
func Classify(logger *slog.Logger, r *http.Request, err error) (int, string) {
	status, msg := statusOf(err)
	if status >= 500 {
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	} else {
		logger.DebugContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", status)
	}
	return status, msg
}

// statusOf maps err to its status and text.
func statusOf(err error) (int, string) {
	var ae *Error
	var inv *prefs.InvalidError
	var ve *rules.ValidationError
	var mbe *http.MaxBytesError
	var pe *archive.ParamError
	var le *limit.Error
	var qe *prefs.QuotaError
	switch {
	case errors.As(err, &ae):
		return ae.Status, ae.Msg
	case errors.As(err, &le):
		return http.StatusTooManyRequests, le.Error()
	case errors.As(err, &qe) && qe.RetryAfter > 0:
		return http.StatusTooManyRequests, qe.Error()
	case errors.As(err, &qe):
		return http.StatusUnprocessableEntity, qe.Error()
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, inv.Error()
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, ve.Error()
	case prefs.IsConfirmationError(err):
		return http.StatusUnprocessableEntity, err.Error()
	case errors.As(err, &pe):
		return http.StatusBadRequest, pe.Error()
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "request body too large"
	case errors.Is(err, prefs.ErrNotFound), errors.Is(err, deadletter.ErrNotFound), errors.Is(err, archive.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, archive.ErrTooSlow):
		return http.StatusServiceUnavailable, err.Error()
	case errors.Is(err, prefs.ErrConflict):
		return http.StatusConflict, "already exists"
	}
	return http.StatusInternalServerError, "internal error"
}
