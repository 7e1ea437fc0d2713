package sse_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"fmn/internal/notify/sse"
	"fmn/internal/ssetoken"
	"fmn/internal/testkit/redistest"
	"fmn/internal/wire"
)

type testBundle struct {
	h      *sse.Handler
	store  *sse.Store
	signer *ssetoken.Signer
	server *httptest.Server
	now    time.Time
	rdb    *redis.Client
	prefix string
}

func setup(t *testing.T, cfg sse.HandlerConfig) *testBundle {
	t.Helper()
	rdb, prefix := redistest.Client(t)
	store := sse.NewStore(rdb, sse.StoreConfig{Prefix: prefix, MaxLen: 50})
	signer, err := ssetoken.NewSigner([]byte(strings.Repeat("s", 32)))
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub := sse.NewHub(rdb, store.Channel(), logger)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	now := time.Now()
	h := sse.NewHandler(store, hub, signer, cfg, logger, prometheus.NewPedanticRegistry(), func() time.Time { return now })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testBundle{h: h, store: store, signer: signer, server: srv, now: now, rdb: rdb, prefix: prefix}
}

func (b *testBundle) url(user string) string {
	return b.server.URL + "?token=" + url.QueryEscape(b.signer.Issue(user, b.now, time.Minute))
}

func notification(user, id string) wire.Notification {
	return wire.Notification{ID: id, MessageID: "msg-" + id, User: user, Topic: "org.fedoraproject.prod.bodhi.update.comment",
		Filters: []wire.FilterRef{{ID: 1, Name: "mine"}}}
}

func next(t *testing.T, ch <-chan sse.ClientEvent) sse.ClientEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "stream closed")
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return sse.ClientEvent{}
}

func messageID(t *testing.T, ev sse.ClientEvent) string {
	t.Helper()
	var p sse.Payload
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &p))
	return p.MessageID
}

func TestAppendIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{})
	ctx := context.Background()
	n, err := b.store.Append(ctx, []wire.Notification{notification("alice", "a1"), notification("alice", "a1"), notification("bob", "b1")})
	require.NoError(t, err)
	require.Equal(t, 2, n, "the repeated id within one batch is stored once")
	n, err = b.store.Append(ctx, []wire.Notification{notification("alice", "a1")})
	require.NoError(t, err)
	require.Zero(t, n, "a redelivered notification is not stored again")
	evs, err := b.store.Read(ctx, "alice", "0-0", 10)
	require.NoError(t, err)
	require.Len(t, evs, 1)
}

func TestResumeFromLastEventIDThenLive(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := b.store.Append(ctx, []wire.Notification{notification("alice", "1"), notification("alice", "2"), notification("alice", "3")})
	require.NoError(t, err)
	all, err := b.store.Read(ctx, "alice", "0-0", 10)
	require.NoError(t, err)
	require.Len(t, all, 3)

	ch, err := sse.Subscribe(ctx, b.url("alice"), all[0].ID)
	require.NoError(t, err)
	e2, e3 := next(t, ch), next(t, ch)
	require.Equal(t, []string{all[1].ID, all[2].ID}, []string{e2.ID, e3.ID}, "exactly the missed events, in order")
	require.Equal(t, "notification", e2.Event)
	require.Equal(t, "msg-2", messageID(t, e2))

	_, err = b.store.Append(ctx, []wire.Notification{notification("bob", "b"), notification("alice", "4")})
	require.NoError(t, err)
	e4 := next(t, ch)
	require.Equal(t, "msg-4", messageID(t, e4), "a live event follows the replay; bob's is not on alice's stream")
}

func TestFirstConnectWithoutCursorStartsAtTheEnd(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := b.store.Append(ctx, []wire.Notification{notification("carol", "old")})
	require.NoError(t, err)
	ch, err := sse.Subscribe(ctx, b.url("carol"), "")
	require.NoError(t, err)
	_, err = b.store.Append(ctx, []wire.Notification{notification("carol", "new")})
	require.NoError(t, err)
	require.Equal(t, "msg-new", messageID(t, next(t, ch)))

	// The query-string cursor does what Last-Event-ID does, for a first connection.
	all, err := b.store.Read(ctx, "carol", "0-0", 10)
	require.NoError(t, err)
	ch2, err := sse.Subscribe(ctx, b.url("carol")+"&last_event_id="+all[0].ID, "")
	require.NoError(t, err)
	require.Equal(t, "msg-new", messageID(t, next(t, ch2)))
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{MaxConnsPerUser: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	other, err := ssetoken.NewSigner([]byte(strings.Repeat("x", 32)))
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		url, cursor string
		code        int
	}{
		"no token":        {b.server.URL, "", http.StatusUnauthorized},
		"bare user name":  {b.server.URL + "?token=alice", "", http.StatusUnauthorized},
		"forged token":    {b.server.URL + "?token=" + url.QueryEscape(other.Issue("alice", b.now, time.Minute)), "", http.StatusUnauthorized},
		"expired token":   {b.server.URL + "?token=" + url.QueryEscape(b.signer.Issue("alice", b.now.Add(-time.Hour), time.Minute)), "", http.StatusUnauthorized},
		"malformed event": {b.url("alice"), "12-x<script>", http.StatusBadRequest},
		"malformed query": {b.url("alice") + "&last_event_id=%0d%0aevil", "", http.StatusBadRequest},
	} {
		_, err := sse.Subscribe(ctx, tc.url, tc.cursor)
		var se *sse.StatusError
		require.True(t, errors.As(err, &se), "%s: %v", name, err)
		require.Equal(t, tc.code, se.Code, name)
	}

	_, err = sse.Subscribe(ctx, b.url("dave"), "")
	require.NoError(t, err)
	_, err = sse.Subscribe(ctx, b.url("dave"), "")
	var se *sse.StatusError
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusTooManyRequests, se.Code, "the per-user connection cap holds")
}

// A client resuming from a position the bounded stream no longer holds is told so first, then
// gets what is kept.
func TestResumeFromTrimmedHistorySaysSo(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// MaxLen is 50 here; XADD MAXLEN ~ trims in whole nodes, so add well past it.
	var ns []wire.Notification
	for i := range 400 {
		ns = append(ns, notification("erin", fmt.Sprintf("n%d", i)))
	}
	_, err := b.store.Append(ctx, ns)
	require.NoError(t, err)
	kept, err := b.store.Read(ctx, "erin", "0-0", 1000)
	require.NoError(t, err)
	require.Less(t, len(kept), 400, "the stream was trimmed")

	ch, err := sse.Subscribe(ctx, b.url("erin"), "1-0")
	require.NoError(t, err)
	first := next(t, ch)
	require.Equal(t, sse.EventReset, first.Event)
	require.Equal(t, kept[0].ID, next(t, ch).ID, "then the oldest kept event")

	// Resuming from a kept position is not a gap.
	ch2, err := sse.Subscribe(ctx, b.url("erin"), kept[len(kept)-2].ID)
	require.NoError(t, err)
	require.Equal(t, kept[len(kept)-1].ID, next(t, ch2).ID)
}

// An idle stream carries heartbeat comments, so proxies keep it open.
func TestIdleStreamsGetHeartbeats(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{Heartbeat: 20 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.url("frank"), nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	sc := bufio.NewScanner(resp.Body)
	beats := 0
	for beats < 2 && sc.Scan() {
		if sc.Text() == ": heartbeat" {
			beats++
		}
	}
	require.Equal(t, 2, beats, "two heartbeats arrived on an idle stream (scan error: %v)", sc.Err())
}

// Pages of the allowed origins may read streams (CORS); others get no CORS header, so their
// browser keeps the answer from them.
func TestOnlyAllowedOriginsGetCORS(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{AllowedOrigins: []string{"https://fmn.example.org"}})
	for origin, want := range map[string]string{
		"https://fmn.example.org":  "https://fmn.example.org",
		"https://evil.example.org": "",
		"":                         "",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, "GET", b.url("alice"), nil)
		require.NoError(t, err)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, want, resp.Header.Get("Access-Control-Allow-Origin"), origin)
		cancel()
		resp.Body.Close()
	}
}

// Close ends open streams, so a server shutting down does not wait for its clients.
func TestCloseEndsOpenStreams(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{})
	b.server.Config.RegisterOnShutdown(b.h.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := sse.Subscribe(ctx, b.url("alice"), "")
	require.NoError(t, err)

	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	require.NoError(t, b.server.Config.Shutdown(sctx), "shutdown waited for the open stream")
	for range events { // the stream ends: the channel closes
	}
}
