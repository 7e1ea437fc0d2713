package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/notify/sse"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/web"
	"fmn/internal/wire"
)

// streamToken asks the web app for a stream token the way the Live page does (POST /live/token,
// with the session) and returns its stream URL on the backend.
func (b *browser) streamToken(backendURL string) string {
	b.t.Helper()
	status, body := b.post("/live/token", nil)
	require.Equal(b.t, http.StatusOK, status, body)
	var tok struct {
		Token string `json:"token"`
	}
	require.NoError(b.t, json.Unmarshal([]byte(body), &tok))
	return backendURL + "/stream?token=" + url.QueryEscape(tok.Token)
}

// streamEnds waits until the stream ch ends and returns its last event.
func streamEnds(t *testing.T, ch <-chan sse.ClientEvent) sse.ClientEvent {
	t.Helper()
	var last sse.ClientEvent
	deadline := time.After(waitFor)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return last
			}
			last = ev
		case <-deadline:
			t.Fatal("the stream did not end in time")
		}
	}
}

// requireStreamRefused fails unless the backend refuses to open u with 401.
func requireStreamRefused(t *testing.T, u, msg string) {
	t.Helper()
	_, err := sse.Subscribe(t.Context(), u, "")
	var se *sse.StatusError
	require.True(t, errors.As(err, &se), "%s: %v", msg, err)
	require.Equal(t, http.StatusUnauthorized, se.Code, msg)
}

// announce adds a notification to user's stream as the backend's SSE delivery does.
func (s *stack) announce(user, id string) {
	s.t.Helper()
	_, err := sse.NewStore(s.rdb, sse.StoreConfig{Prefix: s.redisPfx}).Append(context.Background(),
		[]wire.Notification{{ID: id, MessageID: id, User: user, Topic: "org.fedoraproject.prod.bodhi.update.comment"}})
	require.NoError(s.t, err)
}

// Logging out everywhere ends every session of the user (the other browser's too) and closes
// their open stream at once; the stream's token is refused afterwards, other users are left
// alone, and logging in again works.
func TestLogoutEverywhereEndsSessionsAndStreams(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startBackend(nil)
	s.startWeb()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	laptop, phone, bob := s.login("alice"), s.login("alice"), s.login("bob")

	aliceURL := laptop.streamToken(s.backendURL)
	aliceStream, err := sse.Subscribe(ctx, aliceURL, "")
	require.NoError(t, err)
	bobStream, err := sse.Subscribe(ctx, bob.streamToken(s.backendURL), "")
	require.NoError(t, err)

	status, _ := phone.post("/logout/everywhere", nil)
	require.Equal(t, http.StatusSeeOther, status)

	last := streamEnds(t, aliceStream)
	require.Equal(t, sse.EventRevoked, last.Event, "the open stream was told why it ends")
	requireStreamRefused(t, aliceURL, "the old stream token")
	for name, b := range map[string]*browser{"laptop": laptop, "phone": phone} {
		status, _ := b.get("/filters")
		require.Equal(t, http.StatusSeeOther, status, "%s: pages send to the login again", name)
		status, _ = b.api("GET", "/api/v1/me", "")
		require.Equal(t, http.StatusUnauthorized, status, name)
		status, _ = b.post("/live/token", nil)
		require.Equal(t, http.StatusUnauthorized, status, "%s: no new stream token", name)
	}

	// bob is untouched: his session and his stream go on.
	status, _ = bob.get("/filters")
	require.Equal(t, http.StatusOK, status)
	s.announce("bob", "for-bob")
	require.Equal(t, "for-bob", messageID(t, next(t, bobStream)))

	// A new login, and a stream with its token, work.
	again := s.login("alice")
	status, _ = again.get("/filters")
	require.Equal(t, http.StatusOK, status)
	fresh, err := sse.Subscribe(ctx, again.streamToken(s.backendURL), "")
	require.NoError(t, err)
	s.announce("alice", "after-login")
	require.Equal(t, "after-login", messageID(t, next(t, fresh)))
}

// DELETE /api/v1/users/alice (by alice herself) closes her open stream and removes her: her user,
// her session and her replay stream are gone, and a new user who takes the name later gets none
// of it. An administrator may delete anyone; nobody is 404.
func TestDeleteUserEndsHerStreamAndRemovesHer(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startBackend(nil)
	s.startWeb()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.login("alice")
	s.login("bob")
	aliceURL := alice.streamToken(s.backendURL)
	events, err := sse.Subscribe(ctx, aliceURL, "")
	require.NoError(t, err)
	s.announce("alice", "before-delete")
	require.Equal(t, "before-delete", messageID(t, next(t, events)))
	require.EqualValues(t, 1, s.streamLen("alice"))

	status, body := alice.api("DELETE", "/api/v1/users/alice", "")
	require.Equal(t, http.StatusNoContent, status, body)
	require.Equal(t, sse.EventRevoked, streamEnds(t, events).Event)
	requireStreamRefused(t, aliceURL, "her stream token")
	require.Equal(t, http.StatusNotFound, s.api("GET", "/api/v1/users/alice", nil, nil), "she is gone")
	require.Zero(t, s.streamLen("alice"), "her replay stream is gone")
	status, _ = alice.api("GET", "/api/v1/me", "")
	require.Equal(t, http.StatusUnauthorized, status, "her session is over")

	// Someone who logs in as alice later is a new user: the old session stays over.
	newcomer := s.login("alice")
	status, body = newcomer.api("GET", "/api/v1/me", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"name":"alice"`)
	status, _ = alice.api("GET", "/api/v1/me", "")
	require.Equal(t, http.StatusUnauthorized, status, "the deleted user's session does not come back with the name")

	// The administrator deletes bob; deleting nobody is 404.
	require.Equal(t, http.StatusNoContent, s.api("DELETE", "/api/v1/users/bob", nil, nil))
	require.Equal(t, http.StatusNotFound, s.api("GET", "/api/v1/users/bob", nil, nil))
	require.Equal(t, http.StatusNotFound, s.api("DELETE", "/api/v1/users/bob", nil, nil))
}

// A stream ends when its token expires, with an "expired" event; what the Live page then does
// (a fresh token from POST /live/token, and the stream again from the last event id it saw) misses
// nothing announced in between.
func TestStreamEndsAtTokenExpiryAndAFreshTokenResumes(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startBackend(nil)
	s.startWeb(func(c *web.Config) { c.StreamTokenTTL = time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.login("alice")
	events, err := sse.Subscribe(ctx, alice.streamToken(s.backendURL), "")
	require.NoError(t, err)
	s.announce("alice", "first")
	first := next(t, events)
	require.Equal(t, "first", messageID(t, first))

	last := streamEnds(t, events)
	require.Equal(t, sse.EventExpired, last.Event)
	require.JSONEq(t, `{"reason":"token expired"}`, last.Data)
	require.Equal(t, first.ID, last.ID, "the expired event carries the stream's position")
	s.announce("alice", "while-away")

	again, err := sse.Subscribe(ctx, alice.streamToken(s.backendURL)+"&last_event_id="+url.QueryEscape(last.ID), "")
	require.NoError(t, err)
	require.Equal(t, "while-away", messageID(t, next(t, again)), "the event announced between the two streams")
}
