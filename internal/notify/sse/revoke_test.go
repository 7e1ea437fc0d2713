package sse_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/notify/sse"
	"fmn/internal/ssetoken"
	"fmn/internal/wire"
)

// tokenURL is the stream URL of a token for user issued at issued, valid for ttl.
func (b *testBundle) tokenURL(user string, issued time.Time, ttl time.Duration) string {
	return b.server.URL + "?token=" + url.QueryEscape(b.signer.Issue(user, issued, ttl))
}

// drain returns the events of a stream until it ends, failing if it has not ended within 10 s.
func drain(t *testing.T, ch <-chan sse.ClientEvent) []sse.ClientEvent {
	t.Helper()
	var evs []sse.ClientEvent
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return evs
			}
			evs = append(evs, ev)
		case <-deadline:
			t.Fatalf("the stream did not end within 10s (events so far: %v)", evs)
		}
	}
}

// requireRefused fails unless opening u is refused with code.
func requireRefused(t *testing.T, u string, code int, msg string) {
	t.Helper()
	_, err := sse.Subscribe(t.Context(), u, "")
	var se *sse.StatusError
	require.True(t, errors.As(err, &se), "%s: %v", msg, err)
	require.Equal(t, code, se.Code, msg)
}

// A stream ends when its token expires, with an "expired" event last, so the page fetches a fresh
// token instead of letting EventSource retry with the dead one.
func TestStreamEndsAtTokenExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{Heartbeat: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := b.store.Append(ctx, []wire.Notification{notification("alice", "before-expiry")})
	require.NoError(t, err)
	// By the handler's clock (b.now), this one-minute token has 500 ms left. The replay from 0-0
	// is written before the stream waits on anything, so it comes first however slow the machine.
	ch, err := sse.Subscribe(ctx, b.tokenURL("alice", b.now.Add(-time.Minute+500*time.Millisecond), time.Minute), "0-0")
	require.NoError(t, err)
	first := next(t, ch)
	require.Equal(t, "msg-before-expiry", messageID(t, first), "the stream works until then")

	evs := drain(t, ch)
	require.Len(t, evs, 1, "%v", evs)
	require.Equal(t, sse.EventExpired, evs[0].Event)
	require.JSONEq(t, `{"reason":"token expired"}`, evs[0].Data)
	require.Equal(t, first.ID, evs[0].ID, "with the stream's position as its id")

	// A stream that wrote nothing gives where it started, so the next one resumes from there.
	ch, err = sse.Subscribe(ctx, b.tokenURL("alice", b.now.Add(-time.Minute+300*time.Millisecond), time.Minute), "")
	require.NoError(t, err)
	evs = drain(t, ch)
	require.Len(t, evs, 1, "%v", evs)
	require.Equal(t, sse.EventExpired, evs[0].Event)
	require.Equal(t, first.ID, evs[0].ID, "the stream's end when it started")
}

// Revoke closes the user's open streams at once (only theirs), and refuses the tokens issued at or
// before it; a token issued after it works.
func TestRevokeEndsStreamsAndRefusesOlderTokens(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	issued := b.now.Add(-time.Second)
	alice1, err := sse.Subscribe(ctx, b.tokenURL("alice", issued, time.Minute), "")
	require.NoError(t, err)
	alice2, err := sse.Subscribe(ctx, b.tokenURL("alice", issued, time.Minute), "")
	require.NoError(t, err)
	bob, err := sse.Subscribe(ctx, b.tokenURL("bob", issued, time.Minute), "")
	require.NoError(t, err)

	require.NoError(t, sse.Revoke(ctx, b.rdb, b.prefix, "alice", b.now))
	for _, ch := range []<-chan sse.ClientEvent{alice1, alice2} {
		evs := drain(t, ch)
		require.Len(t, evs, 1, "%v", evs)
		require.Equal(t, sse.EventRevoked, evs[0].Event)
	}
	_, err = b.store.Append(ctx, []wire.Notification{notification("bob", "still-here")})
	require.NoError(t, err)
	require.Equal(t, "msg-still-here", messageID(t, next(t, bob)), "bob's stream is not revoked")

	ttl, err := b.rdb.TTL(ctx, b.prefix+"sse:revoked:alice").Result()
	require.NoError(t, err)
	require.InDelta(t, ssetoken.MaxTTL.Seconds(), ttl.Seconds(), 60, "kept as long as a token can live")

	requireRefused(t, b.tokenURL("alice", issued, time.Minute), http.StatusUnauthorized, "a token issued before the revocation")
	requireRefused(t, b.tokenURL("alice", b.now, time.Minute), http.StatusUnauthorized, "a token issued in the revocation's millisecond")
	fresh, err := sse.Subscribe(ctx, b.tokenURL("alice", b.now.Add(time.Millisecond), time.Minute), "")
	require.NoError(t, err, "a token issued after the revocation")
	_, err = b.store.Append(ctx, []wire.Notification{notification("alice", "after")})
	require.NoError(t, err)
	require.Equal(t, "msg-after", messageID(t, next(t, fresh)))

	// A later revocation ends that stream too.
	require.NoError(t, sse.Revoke(ctx, b.rdb, b.prefix, "alice", b.now.Add(time.Second)))
	evs := drain(t, fresh)
	require.Equal(t, sse.EventRevoked, evs[len(evs)-1].Event)
}

// Forget deletes a user's replay stream, and only theirs.
func TestForgetDeletesTheReplayStream(t *testing.T) {
	t.Parallel()
	b := setup(t, sse.HandlerConfig{})
	ctx := context.Background()
	_, err := b.store.Append(ctx, []wire.Notification{notification("alice", "1"), notification("bob", "2")})
	require.NoError(t, err)
	require.NoError(t, sse.Forget(ctx, b.rdb, b.prefix, "alice"))
	n, err := b.store.Count(ctx, []string{"alice"})
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = b.store.Count(ctx, []string{"bob"})
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}
