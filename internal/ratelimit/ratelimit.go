// Package ratelimit counts events per key in fixed windows in Redis, shared by every replica: a
// destination flooded by a burst (a mass rebuild touching thousands of packages) is switched to a
// digest instead of getting thousands of separate emails, and an API client past its rate is
// answered 429. Counts are rebuildable: losing them only lets one more window's worth through.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter allows up to a limit of events per key per window.
type Limiter struct {
	rdb    *redis.Client
	prefix string
	limit  int64
	window time.Duration
}

// New returns a limiter; keys start with prefix. limit < 1 allows everything.
func New(rdb *redis.Client, prefix string, limit int, window time.Duration) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix, limit: int64(limit), window: max(window, time.Second)}
}

// Allow counts one event for key at now and reports whether it is within the limit of its
// window. On a Redis error it reports true with the error: a guard must not hold deliveries or
// requests back when its cache is down.
func (l *Limiter) Allow(ctx context.Context, key string, now time.Time) (bool, error) {
	if l.limit < 1 {
		return true, nil
	}
	start := now.Truncate(l.window)
	key = l.prefix + "ratelimit:" + key + ":" + strconv.FormatInt(start.Unix(), 10)
	pipe := l.rdb.Pipeline()
	n := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*l.window) // past the window's end whatever the clocks say
	if _, err := pipe.Exec(ctx); err != nil {
		return true, fmt.Errorf("rate count: %w", err)
	}
	return n.Val() <= l.limit, nil
}

// Limit returns the events allowed per window (below 1: no limit) and the window.
func (l *Limiter) Limit() (int, time.Duration) { return int(l.limit), l.window }

// RetryAfter is how long from now until the window of now ends.
func (l *Limiter) RetryAfter(now time.Time) time.Duration {
	return now.Truncate(l.window).Add(l.window).Sub(now)
}
