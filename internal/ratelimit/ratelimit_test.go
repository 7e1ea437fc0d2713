package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/ratelimit"
	"fmn/internal/testkit/redistest"
)

func TestAllowsLimitPerWindowAndDestination(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.Client(t)
	l := ratelimit.New(rdb, prefix, 3, time.Minute)
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 12, 0, 10, 0, time.UTC)
	var allowed int
	for range 5 {
		ok, err := l.Allow(ctx, "7", at)
		require.NoError(t, err)
		if ok {
			allowed++
		}
	}
	require.Equal(t, 3, allowed, "three in the window, then no")
	ok, err := l.Allow(ctx, "8", at)
	require.NoError(t, err)
	require.True(t, ok, "another destination has its own count")
	ok, err = l.Allow(ctx, "7", at.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok, "the next window starts afresh")
	ttl, err := rdb.TTL(ctx, prefix+"ratelimit:7:1795435200").Result()
	require.NoError(t, err)
	require.Positive(t, ttl, "counts expire")
	require.Equal(t, 50*time.Second, l.RetryAfter(at), "until the window's end")
}

func TestNoLimitAndRedisDownAllow(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.Client(t)
	ok, err := ratelimit.New(rdb, prefix, 0, time.Minute).Allow(context.Background(), "1", time.Now())
	require.NoError(t, err)
	require.True(t, ok)

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // an unusable connection: the guard lets the notification through and says why
	ok, err = ratelimit.New(rdb, prefix, 1, time.Minute).Allow(ctx, "1", time.Now())
	require.Error(t, err)
	require.True(t, ok)
}
