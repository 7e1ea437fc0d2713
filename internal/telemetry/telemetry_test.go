package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadyzReportsEachCheckWithoutDetails(t *testing.T) {
	t.Parallel()
	up := true
	h := HealthHandler(Checks{
		"broker":   Flag(func() bool { return up }),
		"database": func(context.Context) error { return errors.New("dial tcp 10.0.0.1: password=secret") },
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	body, _ := io.ReadAll(rec.Body)
	require.Equal(t, "broker: ok\ndatabase: not ready\n", string(body))

	h = HealthHandler(Checks{"broker": Flag(func() bool { return up })})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code)
}
