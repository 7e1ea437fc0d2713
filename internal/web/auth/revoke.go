package auth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/internal/notify/sse"
)

// Revocations ends all of a user's sessions and streams at once (logging out everywhere,
// deleting the user). Sessions are refused when they logged in at or before the user's
// sessions_not_before mark. The mark lives in Redis beside the sessions it ends (rather than in
// Postgres): it is consulted on every request, as the session is; it is needed exactly as long as
// those sessions can live; and whatever loses it loses the sessions too, so no ended session can
// come back without its mark.
type Revocations struct {
	rdb    *redis.Client
	prefix string
	// lifetime is the longest a session lives (scs's Lifetime, counted from the login, where the
	// session token is renewed): after it, no session that logged in before a mark is left, so
	// the mark expires then.
	lifetime time.Duration
}

// NewRevocations returns the revocations of the sessions of cfg, kept in rdb.
func NewRevocations(cfg SessionConfig, rdb *redis.Client) *Revocations {
	return &Revocations{rdb: rdb, prefix: cfg.Prefix, lifetime: cfg.Lifetime}
}

// notBeforeKey holds the time (Unix nanoseconds) at or before which user's sessions logged in
// are refused.
func (v *Revocations) notBeforeKey(user string) string {
	return v.prefix + "sessions_not_before:" + user
}

// Revoke ends every session of user that logged in at or before now, on every replica, and
// every stream opened with a token issued by then (sse.Revoke: the backends share this Redis and
// prefix).
func (v *Revocations) Revoke(ctx context.Context, user string, now time.Time) error {
	if err := v.rdb.Set(ctx, v.notBeforeKey(user), strconv.FormatInt(now.UnixNano(), 10), v.lifetime).Err(); err != nil {
		return fmt.Errorf("end sessions of %s: %w", user, err)
	}
	return sse.Revoke(ctx, v.rdb, v.prefix, user, now)
}

// sessionEnded reports whether a session of user that logged in at loginAt (Unix nanoseconds; 0
// for a session older than login times, which any mark ends) was ended by Revoke.
func (v *Revocations) sessionEnded(ctx context.Context, user string, loginAt int64) (bool, error) {
	s, err := v.rdb.Get(ctx, v.notBeforeKey(user)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read sessions_not_before of %s: %w", user, err)
	}
	notBefore, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return false, fmt.Errorf("read sessions_not_before of %s %q: %w", user, s, err)
	}
	return loginAt <= notBefore, nil
}

// ForgetStream deletes user's replay stream (sse.Forget).
func (v *Revocations) ForgetStream(ctx context.Context, user string) error {
	return sse.Forget(ctx, v.rdb, v.prefix, user)
}
