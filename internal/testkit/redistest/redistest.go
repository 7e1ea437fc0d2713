// Package redistest gives tests a real Redis client and a key prefix of their own; keys under the
// prefix are deleted at cleanup (never FLUSHDB).
package redistest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/internal/testkit/testenv"
)

// EnvURL names the variable with the test Redis URL.
const EnvURL = "FMN_TEST_REDIS_URL"

const defaultURL = "redis://127.0.0.1:6379/0"

// URL returns the test Redis URL.
func URL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return defaultURL
}

// Client returns a client and a unique key prefix ("fmntest:<name>:"); every key under the prefix
// is deleted when the test ends.
func Client(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opts, err := redis.ParseURL(URL())
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		testenv.Unavailable(t, "Redis", err)
	}
	prefix := "fmntest:" + testenv.UniqueName(t) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
		_ = c.Close()
	})
	return c, prefix
}
