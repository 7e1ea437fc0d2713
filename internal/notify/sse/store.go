// Package sse delivers notifications to browsers over Server-Sent Events. Each user's
// notifications are appended to a bounded Redis stream (which is what makes Last-Event-ID resume
// work on any replica) and announced on one pub/sub channel; every backend replica relays to its
// own connected clients.
package sse

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/internal/wire"
)

// Store defaults.
const (
	// DefaultMaxLen bounds each user's stream (approximately, as XADD MAXLEN ~ does).
	DefaultMaxLen = 1000
	// DefaultTTL drops a user's stream after this long without a new notification.
	DefaultTTL = 7 * 24 * time.Hour
	// DefaultSeenTTL is how long a delivered notification id is remembered, so a redelivered
	// notification is not appended twice. Redelivery happens within minutes; a day is ample.
	DefaultSeenTTL = 24 * time.Hour
)

// appendScript appends one user's notifications to their stream, skipping those whose id was
// seen, and returns how many it appended. KEYS: the stream key, then one seen key per
// notification. ARGV: seen ttl s, maxlen, stream ttl s, then one event per seen key. Running as
// one script makes "seen" and "appended" a single atomic step; one call per user (not per
// notification) keeps a user's keys in one Redis Cluster slot and the calls few.
var appendScript = redis.NewScript(`
local added = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'd', ARGV[i + 2])
    added = added + 1
  end
end
if added > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return added
`)

// eventIDPattern is the shape of a Redis stream id, which is what SSE event ids are.
var eventIDPattern = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,20}$`)

// ErrBadEventID means a Last-Event-ID is not one this service issued.
var ErrBadEventID = errors.New("malformed event id")

// ValidEventID reports whether id has the shape of an event id.
func ValidEventID(id string) bool { return eventIDPattern.MatchString(id) }

// Store keeps users' SSE streams in Redis.
type Store struct {
	rdb     *redis.Client
	prefix  string
	maxLen  int64
	ttl     time.Duration
	seenTTL time.Duration
}

// StoreConfig sets a Store's limits; zero values take the defaults.
type StoreConfig struct {
	Prefix  string // key prefix, such as "fmn:"
	MaxLen  int64
	TTL     time.Duration
	SeenTTL time.Duration
}

// NewStore returns a store.
func NewStore(rdb *redis.Client, c StoreConfig) *Store {
	if c.MaxLen <= 0 {
		c.MaxLen = DefaultMaxLen
	}
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	if c.SeenTTL <= 0 {
		c.SeenTTL = DefaultSeenTTL
	}
	return &Store{rdb: rdb, prefix: c.Prefix, maxLen: c.MaxLen, ttl: c.TTL, seenTTL: c.SeenTTL}
}

// Channel is the pub/sub channel announcing users with new events.
func (s *Store) Channel() string { return fanoutChannel(s.prefix) }

// The user name sits in braces so a user's keys share a Redis Cluster slot.
func (s *Store) streamKey(user string) string { return streamKey(s.prefix, user) }
func streamKey(prefix, user string) string    { return prefix + "sse:{" + user + "}:stream" }
func (s *Store) seenKey(user, id string) string {
	return s.prefix + "sse:{" + user + "}:seen:" + id
}

// Append adds notifications to their users' streams in one pipeline, skipping any already added,
// then announces the users on the fan-out channel in one message (their names, one per line). It
// returns how many were new.
func (s *Store) Append(ctx context.Context, ns []wire.Notification) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	var users []string
	byUser := map[string][]*wire.Notification{}
	for i := range ns {
		n := &ns[i]
		if _, ok := byUser[n.User]; !ok {
			users = append(users, n.User)
		}
		byUser[n.User] = append(byUser[n.User], n)
	}
	run := func() ([]*redis.Cmd, error) {
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.Cmd, 0, len(users))
		for _, u := range users {
			mine := byUser[u]
			keys := make([]string, 1, len(mine)+1)
			keys[0] = s.streamKey(u)
			args := make([]any, 3, len(mine)+3)
			args[0], args[1], args[2] = int64(s.seenTTL/time.Second), s.maxLen, int64(s.ttl/time.Second)
			for _, n := range mine {
				data, err := json.Marshal(EventData(n))
				if err != nil {
					return nil, fmt.Errorf("encode notification %s: %w", n.ID, err)
				}
				keys = append(keys, s.seenKey(u, n.ID))
				args = append(args, data)
			}
			cmds = append(cmds, appendScript.EvalSha(ctx, pipe, keys, args...))
		}
		pipe.Publish(ctx, s.Channel(), strings.Join(users, "\n"))
		_, err := pipe.Exec(ctx)
		return cmds, err
	}
	cmds, err := run()
	if err != nil && isNoScript(err) {
		// Redis restarted or flushed its scripts: load it and try once more (the seen keys
		// make a repeat harmless).
		if lerr := appendScript.Load(ctx, s.rdb).Err(); lerr != nil {
			return 0, fmt.Errorf("load sse append script: %w", lerr)
		}
		cmds, err = run()
	}
	if err != nil {
		return 0, fmt.Errorf("append sse notifications: %w", err)
	}
	added := 0
	for _, c := range cmds {
		n, err := c.Int()
		if err != nil {
			return added, fmt.Errorf("append sse notifications: %w", err)
		}
		added += n
	}
	return added, nil
}

// isNoScript reports whether err is Redis's NOSCRIPT (the script is not loaded).
func isNoScript(err error) bool { return strings.HasPrefix(err.Error(), "NOSCRIPT") }

// Event is one stored SSE event.
type Event struct {
	ID   string
	Data []byte
}

// Read returns up to count events of user's stream that come after afterID.
func (s *Store) Read(ctx context.Context, user, afterID string, count int64) ([]Event, error) {
	if !ValidEventID(afterID) {
		return nil, ErrBadEventID
	}
	msgs, err := s.rdb.XRangeN(ctx, s.streamKey(user), "("+afterID, "+", count).Result()
	if err != nil {
		return nil, fmt.Errorf("read sse stream: %w", err)
	}
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		d, _ := m.Values["d"].(string)
		out = append(out, Event{ID: m.ID, Data: []byte(d)})
	}
	return out, nil
}

// Missed reports whether events after cursor were trimmed from user's stream (it keeps only the
// newest MaxLen), so a client resuming from cursor cannot get everything it missed.
func (s *Store) Missed(ctx context.Context, user, cursor string) (bool, error) {
	if !ValidEventID(cursor) {
		return false, ErrBadEventID
	}
	info, err := s.rdb.XInfoStream(ctx, s.streamKey(user)).Result()
	if err != nil {
		if strings.Contains(err.Error(), "no such key") {
			return false, nil
		}
		return false, fmt.Errorf("inspect sse stream: %w", err)
	}
	// Trimming (XADD MAXLEN) does not move max-deleted-entry-id in Redis 7.0, so: entries were
	// dropped, and the cursor is older than the oldest kept. A client that saw exactly the last
	// dropped event gets a needless reset; it never misses one.
	if info.EntriesAdded <= info.Length || info.FirstEntry.ID == "" {
		return false, nil
	}
	return compareIDs(cursor, info.FirstEntry.ID) < 0, nil
}

// compareIDs orders two stream ids ("ms-seq"); a malformed one sorts first.
func compareIDs(a, b string) int {
	am, as := splitID(a)
	bm, bs := splitID(b)
	if am != bm {
		return cmp.Compare(am, bm)
	}
	return cmp.Compare(as, bs)
}

func splitID(id string) (uint64, uint64) {
	ms, seq, _ := strings.Cut(id, "-")
	m, _ := strconv.ParseUint(ms, 10, 64)
	q, _ := strconv.ParseUint(seq, 10, 64)
	return m, q
}

// LastID returns the id of the newest event of user's stream, or "0-0" if it has none.
func (s *Store) LastID(ctx context.Context, user string) (string, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.streamKey(user), "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("read sse stream end: %w", err)
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return msgs[0].ID, nil
}

// Count returns how many events the streams of users hold together (XLEN, pipelined).
func (s *Store) Count(ctx context.Context, users []string) (int64, error) {
	var total int64
	for chunk := range slices.Chunk(users, 1000) {
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.IntCmd, len(chunk))
		for i, u := range chunk {
			cmds[i] = pipe.XLen(ctx, s.streamKey(u))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, fmt.Errorf("count sse events: %w", err)
		}
		for _, c := range cmds {
			total += c.Val()
		}
	}
	return total, nil
}

// Ping checks the Redis connection.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }

// Payload is the JSON a browser receives in an SSE event's data.
type Payload struct {
	ID        string   `json:"id"`
	MessageID string   `json:"message_id"`
	Topic     string   `json:"topic"`
	App       string   `json:"app,omitempty"`
	Agent     string   `json:"agent,omitempty"`
	Summary   string   `json:"summary,omitempty"`
	URL       string   `json:"url,omitempty"`
	Severity  int      `json:"severity"`
	Filters   []string `json:"filters"`
	// FilterIDs are the ids of Filters, in the same order (for the "why did I get this" link).
	FilterIDs []int64 `json:"filter_ids,omitempty"`
	SentAt    string  `json:"sent_at,omitempty"`
}

// EventData renders a notification for the browser.
func EventData(n *wire.Notification) Payload {
	p := Payload{ID: n.ID, MessageID: n.MessageID, Topic: n.Topic, App: n.App, Agent: n.Agent,
		Summary: n.Summary, URL: n.URL, Severity: n.Severity, Filters: make([]string, 0, len(n.Filters))}
	for _, f := range n.Filters {
		p.Filters = append(p.Filters, f.Name)
		p.FilterIDs = append(p.FilterIDs, f.ID)
	}
	if !n.SentAt.IsZero() {
		p.SentAt = n.SentAt.UTC().Format(time.RFC3339)
	}
	return p
}
