// Package flood counts notifications per destination in fixed windows in Redis, so that a
// destination flooded by a burst (a mass rebuild touching thousands of packages) can be switched
// to a digest instead of getting thousands of separate messages. Counts are shared by every backend
// replica and rebuildable: losing them only lets one more window's worth through.
package flood

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter allows up to Limit notifications per destination per Window.
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

// Allow counts one notification for destination at now and reports whether it is within the
// limit of its window. On a Redis error it reports true with the error: a flood guard must not
// hold deliveries back when its cache is down.
func (l *Limiter) Allow(ctx context.Context, destination int64, now time.Time) (bool, error) {
	if l.limit < 1 {
		return true, nil
	}
	start := now.Truncate(l.window)
	key := l.prefix + "flood:" + strconv.FormatInt(destination, 10) + ":" + strconv.FormatInt(start.Unix(), 10)
	pipe := l.rdb.Pipeline()
	n := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*l.window) // past the window's end whatever the clocks say
	if _, err := pipe.Exec(ctx); err != nil {
		return true, fmt.Errorf("flood count: %w", err)
	}
	return n.Val() <= l.limit, nil
}
