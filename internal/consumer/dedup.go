package consumer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/pkg/message"
)

// dedup remembers message ids in Redis for a while, so that the forwarder drops a message the
// bus delivers again. It is a hint: downstream ids make a duplicate that slips through harmless.
type dedup struct {
	rdb    *redis.Client
	prefix string
	ttl    time.Duration
}

// key hashes the id: ids come from outside and may be long.
func (d *dedup) key(id string) string {
	h := sha256.Sum256([]byte(id))
	return d.prefix + hex.EncodeToString(h[:16])
}

// seen reports, for each of msgs, whether its id was marked within the TTL.
func (d *dedup) seen(ctx context.Context, msgs []message.Message) ([]bool, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	keys := make([]string, len(msgs))
	for i := range msgs {
		keys[i] = d.key(msgs[i].ID)
	}
	vals, err := d.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("dedup lookup: %w", err)
	}
	out := make([]bool, len(vals))
	for i, v := range vals {
		out[i] = v != nil
	}
	return out, nil
}

// mark remembers the ids of msgs for the TTL.
func (d *dedup) mark(ctx context.Context, msgs []message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	pipe := d.rdb.Pipeline()
	for i := range msgs {
		pipe.Set(ctx, d.key(msgs[i].ID), 1, d.ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("dedup mark: %w", err)
	}
	return nil
}
