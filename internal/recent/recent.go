// Package recent keeps a bounded window of the latest bus messages in Redis, as the consumer
// extracted them, so the web app can preview what a filter would have matched and explain why a
// notification was sent, until a full message archive exists. The window is a convenience: a
// failed write costs that batch's place in it, never a message.
package recent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/pkg/message"
)

const (
	// DefaultSize is how many messages the window keeps by default.
	DefaultSize = 20_000
	// MaxBodyBytes bounds the bodies kept: a larger body is left out (body conditions then do not
	// match that message in a preview).
	MaxBodyBytes = 64 << 10
	// idTTL is how long a message can be found by id (if it is still in the window).
	idTTL = 8 * 24 * time.Hour
)

// ErrNotFound is returned by Find for a message not (or no longer) in the window.
var ErrNotFound = errors.New("message not in the recent window")

// Store is the window: a Redis stream of messages, newest last, approximately trimmed to its
// size, and an id → stream entry index.
type Store struct {
	rdb    *redis.Client
	key    string
	idKey  string
	size   int64
	maxLen int
}

// NewStore returns the window of size messages under prefix (the configured Redis prefix).
func NewStore(rdb *redis.Client, prefix string, size int) *Store {
	return &Store{rdb: rdb, key: prefix + "recent", idKey: prefix + "recent:id:", size: int64(size), maxLen: MaxBodyBytes}
}

func (s *Store) idIndex(id string) string {
	h := sha256.Sum256([]byte(id))
	return s.idKey + hex.EncodeToString(h[:16])
}

// Append adds msgs to the window in one round trip.
func (s *Store) Append(ctx context.Context, msgs []message.Message) error {
	if len(msgs) == 0 || s.size <= 0 {
		return nil
	}
	pipe := s.rdb.Pipeline()
	adds := make([]*redis.StringCmd, len(msgs))
	for i := range msgs {
		m := msgs[i] // a copy: the caller's message keeps its body and headers
		m.Headers = nil
		if len(m.Body) > s.maxLen {
			m.Body = nil
		}
		b, err := json.Marshal(&m)
		if err != nil {
			return fmt.Errorf("recent window: encode %s: %w", m.ID, err)
		}
		adds[i] = pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.key, MaxLen: s.size, Approx: true, Values: []any{"m", b}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("recent window: append: %w", err)
	}
	pipe = s.rdb.Pipeline()
	for i, a := range adds {
		pipe.Set(ctx, s.idIndex(msgs[i].ID), a.Val(), idTTL)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("recent window: index: %w", err)
	}
	return nil
}

// Latest returns up to limit messages, newest first.
func (s *Store) Latest(ctx context.Context, limit int) ([]message.Message, error) {
	xs, err := s.rdb.XRevRangeN(ctx, s.key, "+", "-", int64(limit)).Result()
	if err != nil {
		return nil, fmt.Errorf("recent window: read: %w", err)
	}
	out := make([]message.Message, 0, len(xs))
	for _, x := range xs {
		m, err := decode(x)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Find returns the message with id, or ErrNotFound.
func (s *Store) Find(ctx context.Context, id string) (message.Message, error) {
	entry, err := s.rdb.Get(ctx, s.idIndex(id)).Result()
	if errors.Is(err, redis.Nil) {
		return message.Message{}, ErrNotFound
	}
	if err != nil {
		return message.Message{}, fmt.Errorf("recent window: find: %w", err)
	}
	xs, err := s.rdb.XRangeN(ctx, s.key, entry, entry, 1).Result()
	if err != nil {
		return message.Message{}, fmt.Errorf("recent window: find: %w", err)
	}
	if len(xs) == 0 {
		return message.Message{}, ErrNotFound // trimmed away
	}
	return decode(xs[0])
}

func decode(x redis.XMessage) (message.Message, error) {
	var m message.Message
	raw, _ := x.Values["m"].(string)
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return m, fmt.Errorf("recent window: decode entry %s: %w", x.ID, err)
	}
	if string(m.Body) == "null" { // left out when appended
		m.Body = nil
	}
	return m, nil
}
