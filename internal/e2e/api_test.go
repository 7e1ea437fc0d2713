package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/rabbittest"
)

// The API refuses what it must, with the status that says why.
func TestAPIRefusals(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	s.userWithFilter("alice", "@me")

	noAuth := func(method, path, token string) int {
		req, err := http.NewRequest(method, s.webURL+path, strings.NewReader(`{"name":"mallory"}`))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusUnauthorized, noAuth("POST", "/api/v1/users", ""))
	require.Equal(t, http.StatusUnauthorized, noAuth("POST", "/api/v1/users", "wrong"))
	require.Equal(t, http.StatusUnauthorized, noAuth("POST", "/api/v1/users/alice/stream-token", adminToken+"x"))

	for name, tc := range map[string]struct {
		method, path string
		body         any
		want         int
	}{
		"duplicate user":     {"POST", "/api/v1/users", map[string]string{"name": "alice"}, http.StatusConflict},
		"bad user name":      {"POST", "/api/v1/users", map[string]string{"name": "a b"}, http.StatusUnprocessableEntity},
		"unknown field":      {"POST", "/api/v1/users", map[string]string{"name": "x", "role": "admin"}, http.StatusBadRequest},
		"unknown user":       {"GET", "/api/v1/users/nobody/filters", nil, http.StatusNotFound},
		"bad destination":    {"POST", "/api/v1/users/alice/destinations", map[string]string{"kind": "email", "address": "x\r\nBcc: y"}, http.StatusUnprocessableEntity},
		"bad destination id": {"POST", "/api/v1/users/alice/destinations/abc/confirm", nil, http.StatusBadRequest},
		"invalid filter": {"POST", "/api/v1/users/alice/filters", map[string]any{"name": "f", "destinations": []int{},
			"conditions": []map[string]any{{"field": "topic", "op": "glob", "values": []string{}}}}, http.StatusUnprocessableEntity},
	} {
		require.Equal(t, tc.want, s.api(tc.method, tc.path, tc.body, nil), name)
	}
}
