package httperr

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/pkg/prefs"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, tc := range map[string]struct {
		err    error
		status int
		msg    string
	}{
		// An *Error says its own status and text, wrapped or not.
		"error": {fmt.Errorf("x: %w", New(http.StatusForbidden, "administrators only")), http.StatusForbidden, "administrators only"},
		// A timed quota is a 429, an untimed one a 422.
		"timed quota": {&prefs.QuotaError{Quota: "confirmations", Limit: 1, RetryAfter: 1}, http.StatusTooManyRequests, ""},
		// Missing things are 404 whichever store says so.
		"not found": {fmt.Errorf("get: %w", archive.ErrNotFound), http.StatusNotFound, "not found"},
		"conflict":  {prefs.ErrConflict, http.StatusConflict, "already exists"},
		// Anything else is a 500 whose text says nothing of the cause.
		"unexpected": {errors.New("connection refused to 10.0.0.1"), http.StatusInternalServerError, "internal error"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, msg := Classify(logger, httptest.NewRequest(http.MethodGet, "/", nil), tc.err)
			require.Equal(t, tc.status, status)
			if tc.msg != "" {
				require.Equal(t, tc.msg, msg)
			}
		})
	}
}
