package sse

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/internal/ssetoken"
)

// revokeMarker starts a fan-out line that revokes a user's streams ("!revoke alice") rather than
// announcing new events. No user name starts with "!" (prefs.ValidateUserName), so a replica that
// predates revocations only pokes a user who does not exist.
const revokeMarker = "!revoke "

// RevocationTTL is how long a revocation is kept: the longest a stream token can be valid. After
// it, no token issued before the revocation can still be valid, so there is nothing left to refuse.
const RevocationTTL = ssetoken.MaxTTL

// fanoutChannel is the pub/sub channel of the backends sharing prefix.
func fanoutChannel(prefix string) string { return prefix + "sse:fanout" }

// revokedKey holds the time (Unix milliseconds) before which user's stream tokens are refused.
func revokedKey(prefix, user string) string { return prefix + "sse:revoked:" + user }

// Revoke ends user's streams on every backend that shares prefix (the web app calls it when the
// user logs out everywhere or is deleted): tokens issued at or before now are refused from then on,
// and every replica closes the user's open streams at once. It sets the revocation time in Redis,
// then announces it on the fan-out channel; a replica that missed the announcement (its Redis
// connection was down) rechecks every open stream when it resubscribes.
func Revoke(ctx context.Context, rdb *redis.Client, prefix, user string, now time.Time) error {
	pipe := rdb.TxPipeline()
	// A later revocation by a replica whose clock is a little behind may move the time back by
	// that skew: tokens issued in those milliseconds stay valid, which the clocks' skew allows
	// anyway.
	pipe.Set(ctx, revokedKey(prefix, user), strconv.FormatInt(now.UnixMilli(), 10), RevocationTTL)
	pipe.Publish(ctx, fanoutChannel(prefix), revokeMarker+user)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("revoke sse streams of %s: %w", user, err)
	}
	return nil
}

// Forget deletes user's replay stream (the user was deleted: a new user of the same name must
// not replay the old one's notifications).
func Forget(ctx context.Context, rdb *redis.Client, prefix, user string) error {
	if err := rdb.Del(ctx, streamKey(prefix, user)).Err(); err != nil {
		return fmt.Errorf("delete sse stream of %s: %w", user, err)
	}
	return nil
}

// RevokedAt returns the time before which user's tokens are refused; the zero time if none is set.
func (s *Store) RevokedAt(ctx context.Context, user string) (time.Time, error) {
	v, err := s.rdb.Get(ctx, revokedKey(s.prefix, user)).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read sse revocation: %w", err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("read sse revocation %q: %w", v, err)
	}
	return time.UnixMilli(ms), nil
}

// revoked reports whether a token with claims c is refused by user's revocation (issued at or
// before it).
func (s *Store) revoked(ctx context.Context, c ssetoken.Claims) (bool, error) {
	at, err := s.RevokedAt(ctx, c.User)
	if err != nil {
		return false, err
	}
	return !at.IsZero() && !c.IssuedAt.After(at), nil
}

// revokedUser returns the user a fan-out line revokes, if it is a revocation.
func revokedUser(line string) (string, bool) { return strings.CutPrefix(line, revokeMarker) }
