package hits_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/hits"
	"fmn/internal/testkit/redistest"
)

func TestCountsSumTheLastDays(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.Client(t)
	s := hits.NewStore(rdb, prefix)
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	require.NoError(t, s.Record(ctx, now, map[int64]int64{1: 2, 2: 1}))
	require.NoError(t, s.Record(ctx, now, map[int64]int64{1: 3}))
	require.NoError(t, s.Record(ctx, now.AddDate(0, 0, -6), map[int64]int64{1: 10}))
	require.NoError(t, s.Record(ctx, now.AddDate(0, 0, -7), map[int64]int64{1: 100})) // outside 7 days
	require.NoError(t, s.Record(ctx, now, nil))

	got, err := s.Counts(ctx, []int64{1, 2, 3}, now, 7)
	require.NoError(t, err)
	require.Equal(t, map[int64]int64{1: 15, 2: 1}, got)

	ttl, err := rdb.TTL(ctx, prefix+"hits:2026-11-23").Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 7*24*time.Hour, "a day's counts expire after the window")

	got, err = s.Counts(ctx, nil, now, 7)
	require.NoError(t, err)
	require.Empty(t, got)
}
