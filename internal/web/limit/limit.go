// Package limit counts the web app's rate-limited events (requests, preview runs) on Redis and
// refuses those past their limit with an *Error, which the faces answer with 429 and Retry-After.
package limit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"fmn/internal/ratelimit"
	"fmn/pkg/prefs"
)

// Error refuses a request past a rate limit: 429 with Retry-After.
type Error struct {
	msg        string
	retryAfter time.Duration
}

// Error returns the text the client sees.
func (e *Error) Error() string { return e.msg }

// RetryAfter returns how long the client should wait before trying again when err is a refusal
// past a rate limit or a timed quota.
func RetryAfter(err error) (time.Duration, bool) {
	var le *Error
	if errors.As(err, &le) {
		return le.retryAfter, true
	}
	var qe *prefs.QuotaError
	if errors.As(err, &qe) && qe.RetryAfter > 0 {
		return qe.RetryAfter, true
	}
	return 0, false
}

// SetRetryAfter sets the Retry-After header, in whole seconds (at least 1), when err calls for
// one.
func SetRetryAfter(w http.ResponseWriter, err error) {
	if d, ok := RetryAfter(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
	}
}

// SayFunc builds a refusal's message from the limit, its window and the seconds to wait.
type SayFunc func(limit int, window time.Duration, wait int) string

// Counter counts events under keys (prefixed with its own) on a ratelimit.Limiter and refuses
// those past the limit. When Redis cannot count, the event is allowed.
type Counter struct {
	limiter *ratelimit.Limiter
	prefix  string
	say     SayFunc
	now     func() time.Time
	logger  *slog.Logger
}

// NewRequests returns the counter of API and page requests (keys "api:<who>").
func NewRequests(l *ratelimit.Limiter, now func() time.Time, logger *slog.Logger) *Counter {
	return &Counter{limiter: l, prefix: "api:", now: now, logger: logger,
		say: func(limit int, window time.Duration, wait int) string {
			return fmt.Sprintf("rate limit: %d requests per %s; retry after %d s", limit, window, wait)
		}}
}

// NewPreviews returns the counter of preview runs per user (keys "preview:user:<name>").
func NewPreviews(l *ratelimit.Limiter, now func() time.Time, logger *slog.Logger) *Counter {
	return &Counter{limiter: l, prefix: "preview:user:", now: now, logger: logger,
		say: func(limit int, _ time.Duration, wait int) string {
			return fmt.Sprintf("previews are limited to %d a minute; try again in %d s", limit, wait)
		}}
}

// Check counts one event under key and, past the limit, returns an *Error.
func (c *Counter) Check(ctx context.Context, key string) error {
	key = c.prefix + key
	now := c.now()
	ok, err := c.limiter.Allow(ctx, key, now)
	if err != nil {
		c.logger.WarnContext(ctx, "rate limit unavailable; allowing", "key", strings.SplitN(key, ":", 2)[0], "error", err)
	}
	if ok {
		return nil
	}
	limit, window := c.limiter.Limit()
	wait := c.limiter.RetryAfter(now)
	return &Error{retryAfter: wait, msg: c.say(limit, window, max(1, int(math.Ceil(wait.Seconds()))))}
}
