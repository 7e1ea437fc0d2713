package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/rabbittest"
	"fmn/internal/web"
)

// The API refuses what it must, with the status that says why.
func TestAPIRefusals(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	s.userWithFilter("alice", "@me")

	noAuth := func(method, path, token string) int {
		return s.request(method, path, token, `{"name":"mallory"}`).StatusCode
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

// Preference edits through the API reach the workers: a membership makes a group's artifact
// match, and a filter edited or deleted by its owner stops matching. Nobody edits another's.
func TestPreferenceEditsTakeEffect(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	s.userWithFilter("bob", "@me")
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": "alice"}, nil))
	var ds struct {
		Destinations []struct{ ID int64 } `json:"destinations"`
	}
	require.Equal(t, http.StatusOK, s.api("GET", "/api/v1/users/alice/destinations", nil, &ds))
	var f struct{ ID int64 }
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users/alice/filters", map[string]any{
		"name": "my groups' packages", "destinations": []int64{ds.Destinations[0].ID},
		"conditions": []map[string]any{{"field": "owned", "values": []string{"@mygroups"}}},
	}, &f))
	require.Equal(t, http.StatusNoContent, s.api("POST", "/api/v1/ownership", map[string]any{
		"owners":  []map[string]string{{"artifact_type": "rpms", "artifact": "kernel", "owner_kind": "group", "owner": "kernel-maint"}},
		"members": []map[string]string{{"group": "kernel-maint", "user": "alice"}},
	}, nil))
	s.waitWorkersCurrent()

	kernel := func(id string) {
		s.publish(id, "org.fedoraproject.prod.buildsys.build.state.change",
			amqp.Table{"fedora_messaging_schema": "koji", "fedora_messaging_rpm_kernel": true}, `{"name":"kernel","owner":"jforbes"}`)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.subscribe(ctx, "alice", "")
	kernel("k-1")
	require.Equal(t, "k-1", messageID(t, next(t, alice)), "a member of the owning group hears about it")

	// bob cannot reach alice's filter through his own path.
	require.Equal(t, http.StatusNotFound, s.api("DELETE", fmt.Sprintf("/api/v1/users/bob/filters/%d", f.ID), nil, nil))
	require.Equal(t, http.StatusNotFound, s.api("GET", fmt.Sprintf("/api/v1/users/bob/filters/%d", f.ID), nil, nil))

	require.Equal(t, http.StatusOK, s.api("PUT", fmt.Sprintf("/api/v1/users/alice/filters/%d", f.ID), map[string]any{
		"name": "only ruby", "destinations": []int64{ds.Destinations[0].ID},
		"conditions": []map[string]any{{"field": "artifact", "values": []string{"ruby"}}},
	}, nil))
	s.waitWorkersCurrent()
	kernel("k-2")
	s.userMessage("marker", "alice")
	require.Equal(t, "marker", messageID(t, next(t, alice)), "the edited filter no longer matches the kernel")
}

// The API answers 429 with Retry-After past its rate, counted per principal (the admin token and a
// user's token apart) and, on the public routes, per client address; nothing else is refused.
func TestAPIRateLimit(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb(func(c *web.Config) { c.APIRateLimit, c.APIRateWindow = 3, time.Hour })

	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": "alice"}, nil))
	var tok struct {
		Token string `json:"token"`
	}
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users/alice/tokens", map[string]string{"name": "script"}, &tok))
	require.Equal(t, http.StatusOK, s.api("GET", "/api/v1/users/alice", nil, nil), "the admin token's third request")
	require.Equal(t, http.StatusTooManyRequests, s.api("GET", "/api/v1/users/alice", nil, nil), "its fourth")

	get := func(path, token string) reply { return s.request(http.MethodGet, path, token, "") }
	for i := range 3 {
		require.Equal(t, http.StatusOK, get("/api/v1/me", tok.Token).StatusCode, "alice's request %d has its own count", i+1)
	}
	resp := get("/api/v1/me", tok.Token)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.True(t, retry >= 1 && retry <= 3600, "Retry-After %d s is within the window", retry)

	for range 3 {
		require.Equal(t, http.StatusOK, get("/api/v1/messages", "").StatusCode)
	}
	require.Equal(t, http.StatusTooManyRequests, get("/api/v1/messages", "").StatusCode, "the public history, per address")
}

// request sends one API request to the web app with token (none when empty) and body (none when
// empty); the response's body is closed.
func (s *stack) request(method, path, token, body string) reply {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.webURL+path, rd)
	require.NoError(s.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	resp.Body.Close()
	return reply{StatusCode: resp.StatusCode, Header: resp.Header}
}

// reply is what request keeps of a response: its status and headers (the body is closed).
type reply struct {
	StatusCode int
	Header     http.Header
}
