// Package hits counts how many messages each filter matched, per UTC day, in Redis: the workers
// record, the web app's filter list reads the last seven days. The counts are statistics, not
// records: a work item redelivered after a worker died counts again, and a failed write loses
// that batch's counts rather than slow matching.
package hits

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Retention is how long a day's counts are kept.
const Retention = 8 * 24 * time.Hour

// Store reads and writes the counts.
type Store struct {
	rdb    *redis.Client
	prefix string
}

// NewStore returns a store of counts under prefix (the configured Redis prefix).
func NewStore(rdb *redis.Client, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix + "hits:"}
}

// key is the hash of day's counts, one field per filter id.
func (s *Store) key(day time.Time) string { return s.prefix + day.UTC().Format(time.DateOnly) }

// Record adds counts (filter id → messages matched) to day's, in one round trip.
func (s *Store) Record(ctx context.Context, day time.Time, counts map[int64]int64) error {
	if len(counts) == 0 {
		return nil
	}
	key := s.key(day)
	pipe := s.rdb.Pipeline()
	for id, n := range counts {
		pipe.HIncrBy(ctx, key, strconv.FormatInt(id, 10), n)
	}
	pipe.Expire(ctx, key, Retention)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record hits: %w", err)
	}
	return nil
}

// Counts sums the counts of ids over the days days ending with now's, in one round trip. Filters
// without hits are absent from the map.
func (s *Store) Counts(ctx context.Context, ids []int64, now time.Time, days int) (map[int64]int64, error) {
	out := make(map[int64]int64, len(ids))
	if len(ids) == 0 || days <= 0 {
		return out, nil
	}
	fields := make([]string, len(ids))
	for i, id := range ids {
		fields[i] = strconv.FormatInt(id, 10)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, days)
	for d := range days {
		cmds[d] = pipe.HMGet(ctx, s.key(now.AddDate(0, 0, -d)), fields...)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read hits: %w", err)
	}
	for _, c := range cmds {
		for i, v := range c.Val() {
			str, ok := v.(string)
			if !ok {
				continue
			}
			n, err := strconv.ParseInt(str, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("read hits: bad count %q", str)
			}
			out[ids[i]] += n
		}
	}
	return out, nil
}
