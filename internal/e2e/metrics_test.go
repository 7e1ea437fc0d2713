package e2e

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/rabbittest"
)

// The web app and the backend, the processes with public ports, serve /metrics only on their
// metrics listeners; their public listeners keep /healthz and /readyz and answer 404 to /metrics.
func TestMetricsOnlyOnTheMetricsListeners(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	s.startBackend(nil)

	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		name, public, metrics, family string
	}{
		{"web", s.webURL, s.webMetricsURL, "fmn_deadletters_redriven_total"},
		{"backend", s.backendURL, s.backendMetricsURL, "fmn_backend_malformed_total"},
	} {
		code, _ := get(c.public + "/metrics")
		require.Equal(t, http.StatusNotFound, code, "%s: no /metrics on the public listener", c.name)
		code, _ = get(c.public + "/healthz")
		require.Equal(t, http.StatusOK, code, "%s: /healthz on the public listener", c.name)
		code, body := get(c.metrics + "/metrics")
		require.Equal(t, http.StatusOK, code, c.name)
		require.Contains(t, body, c.family, "%s: its metrics on the metrics listener", c.name)
		code, _ = get(c.metrics + "/healthz")
		require.Equal(t, http.StatusOK, code, "%s: /healthz on the metrics listener", c.name)
		require.Eventually(t, func() bool {
			pub, _ := get(c.public + "/readyz")
			met, _ := get(c.metrics + "/readyz")
			return pub == http.StatusOK && met == http.StatusOK
		}, waitFor, 20*time.Millisecond, "%s: /readyz on both listeners", c.name)
	}
}
