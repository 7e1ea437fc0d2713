package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/internal/testkit/rabbittest"
	"fmn/pkg/message"
)

// getPublic GETs path without credentials and decodes the JSON answer into out.
func (s *stack) getPublic(path string, out any) int {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.webURL+path, nil)
	require.NoError(s.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	require.Equal(s.t, "application/json", resp.Header.Get("Content-Type"))
	require.NoError(s.t, json.NewDecoder(resp.Body).Decode(out))
	return resp.StatusCode
}

// TestMessageHistoryAPI queries the archive through the web app, without logging in, as
// datagrepper's users do.
func TestMessageHistoryAPI(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	now := time.Now().UTC().Truncate(time.Second)
	var msgs []message.Message
	for i, u := range []string{"alice", "bob", "alice", "carol"} {
		msgs = append(msgs, message.Message{ID: "hist-" + u + "-" + itoa(int64(i)), SentAt: now.Add(-time.Duration(i) * time.Hour),
			Topic: "org.fedoraproject.prod.bodhi.update.comment", App: "bodhi", Usernames: []string{u},
			Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}}, Body: json.RawMessage(`{"n":1}`)})
	}
	require.NoError(t, archive.NewStore(s.pool, time.Now).Write(context.Background(), msgs))
	s.startWeb()

	var page struct {
		Messages []struct {
			MsgID     string    `json:"msg_id"`
			Timestamp time.Time `json:"timestamp"`
			Usernames []string  `json:"usernames"`
			Packages  []string  `json:"packages"`
		} `json:"raw_messages"`
		Total     int            `json:"total"`
		Pages     int            `json:"pages"`
		Count     int            `json:"count"`
		Arguments map[string]any `json:"arguments"`
	}
	q := url.Values{"user": {"alice"}, "package": {"kernel"}, "rows_per_page": {"1"}, "delta": {"86400"}}
	require.Equal(t, http.StatusOK, s.getPublic("/api/v1/messages?"+q.Encode(), &page))
	require.Equal(t, 2, page.Total)
	require.Equal(t, 2, page.Pages)
	require.Equal(t, 1, page.Count)
	require.Len(t, page.Messages, 1)
	require.Equal(t, "hist-alice-0", page.Messages[0].MsgID, "newest first")
	require.True(t, now.Equal(page.Messages[0].Timestamp))
	require.Equal(t, []string{"kernel"}, page.Messages[0].Packages)
	require.Equal(t, []any{"alice"}, page.Arguments["users"])
	require.InDelta(t, 86400, page.Arguments["delta"], 0.001)

	var one struct {
		MsgID string          `json:"msg_id"`
		Msg   json.RawMessage `json:"msg"`
	}
	require.Equal(t, http.StatusOK, s.getPublic("/api/v1/messages/hist-carol-3", &one))
	require.Equal(t, "hist-carol-3", one.MsgID)
	require.JSONEq(t, `{"n":1}`, string(one.Msg))

	var e struct {
		Error string `json:"error"`
		Param string `json:"param"`
	}
	require.Equal(t, http.StatusNotFound, s.getPublic("/api/v1/messages/nope", &e))
	require.Equal(t, "not found", e.Error)
	for query, param := range map[string]string{
		"delta=-1":                        "delta",
		"rows_per_page=1000":              "rows_per_page",
		"start=1700000000&end=1600000000": "end",
		"users=alice":                     "users",
	} {
		e.Param = ""
		require.Equal(t, http.StatusBadRequest, s.getPublic("/api/v1/messages?"+query, &e), query)
		require.Equal(t, param, e.Param, query)
		require.Contains(t, e.Error, param, query)
	}
}
