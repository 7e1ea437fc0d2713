// Package archive is fmn's message history (datanommer's job in Fedora): the consumer writes
// every accepted message into time-partitioned PostgreSQL tables, with users and packages in
// bridge tables, and the web app queries it datagrepper-style.
package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/pkg/message"
)

// Store reads and writes the archive.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
	mu   sync.Mutex
	// weeks are the partitions known to exist, by their first day.
	weeks map[time.Time]bool
}

// NewStore returns the archive on pool; now stamps messages that do not say when they were sent.
func NewStore(pool *pgxpool.Pool, now func() time.Time) *Store {
	return &Store{pool: pool, now: now, weeks: map[time.Time]bool{}}
}

// partitioned are the tables partitioned by sent_at, a partition a week each.
var partitioned = []string{"messages", "message_users", "message_packages"}

// weekOf is the Monday 00:00 UTC starting t's partition.
func weekOf(t time.Time) time.Time {
	d := t.UTC().Truncate(24 * time.Hour)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// partitionName is table's partition for the week starting at week.
func partitionName(table string, week time.Time) string {
	return table + "_" + week.Format("20060102")
}

// ensureWeeks creates the partitions of every week in weeks that does not exist yet. Concurrent
// writers serialise on an advisory lock, so neither sees the other's half-made partition.
func (s *Store) ensureWeeks(ctx context.Context, weeks map[time.Time]bool) error {
	s.mu.Lock()
	var missing []time.Time
	for w := range weeks {
		if !s.weeks[w] {
			missing = append(missing, w)
		}
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('fmn.archive.partitions'))`); err != nil {
			return err
		}
		for _, w := range missing {
			for _, t := range partitioned {
				q := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF %s FOR VALUES FROM ('%s') TO ('%s')`,
					partitionName(t, w), t, w.Format(time.RFC3339), w.AddDate(0, 0, 7).Format(time.RFC3339))
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("archive partitions: %w", err)
	}
	s.mu.Lock()
	for _, w := range missing {
		s.weeks[w] = true
	}
	s.mu.Unlock()
	return nil
}

// nul is the JSON escape of U+0000, which PostgreSQL's jsonb refuses.
var nul = []byte(`\u0000`)

// Write archives msgs in one transaction (a COPY and one statement). Messages archived before
// (the same bus id and sent time) are left as they are, so writing again is harmless.
func (s *Store) Write(ctx context.Context, msgs []message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	now := s.now()
	weeks := map[time.Time]bool{}
	rows := make([][]any, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		sent := m.SentAt
		if sent.IsZero() {
			sent = now
		}
		weeks[weekOf(sent)] = true
		body := []byte(m.Body)
		if len(body) == 0 {
			body = []byte("null")
		}
		if bytes.Contains(body, nul) {
			body = bytes.ReplaceAll(body, nul, []byte(`\ufffd`))
		}
		arts, err := json.Marshal(m.Artifacts)
		if err != nil || m.Artifacts == nil {
			arts = []byte("[]")
		}
		rows[i] = []any{m.ID, sent, m.Topic, m.App, nullable(m.Agent), int16(m.Severity), nullable(m.Summary),
			nullable(m.URL), nonNil(m.Usernames), nonNil(m.Packages()), string(arts), nonNil(m.Groups), string(body)}
	}
	if err := s.ensureWeeks(ctx, weeks); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS archive_in (
			msg_id text, sent_at timestamptz, topic text, category text, agent text, severity smallint,
			summary text, url text, usernames text[], packages text[], artifacts text, groups text[], body text)
			ON COMMIT DELETE ROWS`); err != nil {
			return err
		}
		cols := []string{"msg_id", "sent_at", "topic", "category", "agent", "severity", "summary", "url", "usernames", "packages",
			"artifacts", "groups", "body"}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"archive_in"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `WITH ins AS (
				INSERT INTO messages (msg_id, sent_at, topic, category, agent, severity, summary, url, usernames, packages,
					artifacts, groups, body)
				SELECT DISTINCT ON (msg_id, sent_at) msg_id, sent_at, topic, category, agent, severity, summary, url,
					usernames, packages, artifacts::jsonb, groups, body::jsonb
				FROM archive_in
				ON CONFLICT (msg_id, sent_at) DO NOTHING
				RETURNING id, sent_at, usernames, packages
			), u AS (
				INSERT INTO message_users (name, sent_at, message_id)
				SELECT DISTINCT unnest(usernames), sent_at, id FROM ins
			)
			INSERT INTO message_packages (name, sent_at, message_id)
			SELECT DISTINCT unnest(packages), sent_at, id FROM ins`)
		return err
	})
	if err != nil {
		return fmt.Errorf("archive %d messages: %w", len(msgs), err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DetachBefore detaches every weekly partition that ends at or before t from the archive (and
// the bridge tables), renames it <partition>_detached_<time> and returns the new names. Detached
// tables stay in the database for an operator to dump or drop; queries no longer see them.
func (s *Store) DetachBefore(ctx context.Context, t time.Time) ([]string, error) {
	var out []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('fmn.archive.partitions'))`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'messages'::regclass ORDER BY c.relname`)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, n := range names {
			week, err := time.Parse("20060102", strings.TrimPrefix(n, "messages_"))
			// Only weekly partitions: a name with more after the date is not one.
			if err != nil || week.AddDate(0, 0, 7).After(t) {
				continue
			}
			for _, table := range partitioned {
				p := partitionName(table, week)
				if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s DETACH PARTITION %s`, table, p)); err != nil {
					var pe *pgconn.PgError
					if errors.As(err, &pe) && pe.Code == "42P01" { // already gone
						continue
					}
					return err
				}
				// Renamed, so that the week's name is free should a late message bring it back.
				detached := p + "_detached_" + s.now().UTC().Format("20060102T150405")
				if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s RENAME TO %s`, p, detached)); err != nil {
					return err
				}
				out = append(out, detached)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("detach archive partitions: %w", err)
	}
	s.mu.Lock()
	s.weeks = map[time.Time]bool{} // a detached week must be created again if a late message comes
	s.mu.Unlock()
	return out, nil
}

// Message is an archived message as the query API returns it.
type Message struct {
	ID        int64           `json:"-"`
	MsgID     string          `json:"msg_id"`
	SentAt    time.Time       `json:"timestamp"`
	Topic     string          `json:"topic"`
	Category  string          `json:"category"`
	Agent     string          `json:"agent,omitempty"`
	Severity  int             `json:"severity"`
	Summary   string          `json:"summary,omitempty"`
	URL       string          `json:"url,omitempty"`
	Usernames []string        `json:"usernames"`
	Packages  []string        `json:"packages"`
	Body      json.RawMessage `json:"msg"`
}

// retainEvery is how often Retain looks for weeks past the retention.
const retainEvery = time.Hour

// Retain detaches the archive's weeks older than retention, at once and then hourly, until ctx
// ends. Every consumer may run it: detaching takes the partitions' lock.
func Retain(ctx context.Context, s *Store, retention time.Duration, logger *slog.Logger) error {
	t := time.NewTicker(retainEvery)
	defer t.Stop()
	for {
		names, err := s.DetachBefore(ctx, s.now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "archive retention", "error", err)
		case len(names) > 0:
			logger.InfoContext(ctx, "archive weeks detached (drop or dump them)", "tables", names)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// extractedColumns are the columns scanExtracted reads: a message as the consumer extracted it
// (the API's Message, messageCols, is the datagrepper view of the same row).
const extractedColumns = `msg_id, sent_at, topic, category, coalesce(agent, ''), severity, coalesce(summary, ''),
	coalesce(url, ''), usernames, groups, artifacts, body`

// scanExtracted reads an archived message back as the consumer had extracted it.
func scanExtracted(row pgx.Row) (message.Message, error) {
	var m message.Message
	var sev int16
	var arts []byte
	var body []byte
	err := row.Scan(&m.ID, &m.SentAt, &m.Topic, &m.App, &m.Agent, &sev, &m.Summary, &m.URL, &m.Usernames, &m.Groups, &arts, &body)
	if err != nil {
		return m, err
	}
	m.Severity, m.Body, m.SentAt = int(sev), body, m.SentAt.UTC()
	if err := json.Unmarshal(arts, &m.Artifacts); err != nil {
		return m, fmt.Errorf("archived artifacts of %s: %w", m.ID, err)
	}
	if len(m.Usernames) == 0 {
		m.Usernames = nil
	}
	if len(m.Groups) == 0 {
		m.Groups = nil
	}
	if len(m.Artifacts) == 0 {
		m.Artifacts = nil
	}
	return m, nil
}

// Latest returns the newest archived messages sent after since, at most limit of them, newest
// first, as the consumer extracted them (what the workers matched).
func (s *Store) Latest(ctx context.Context, since time.Time, limit int) ([]message.Message, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+extractedColumns+` FROM messages WHERE sent_at > $1
		ORDER BY sent_at DESC, id DESC LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("latest archived messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (message.Message, error) { return scanExtracted(r) })
	if err != nil {
		return nil, fmt.Errorf("latest archived messages: %w", err)
	}
	return out, nil
}

// Find returns the archived message with the bus id msgID (the newest, should a producer have
// reused an id), or ErrNotFound.
func (s *Store) Find(ctx context.Context, msgID string) (message.Message, error) {
	m, err := scanExtracted(s.pool.QueryRow(ctx, `SELECT `+extractedColumns+` FROM messages WHERE msg_id = $1
		ORDER BY sent_at DESC LIMIT 1`, msgID))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("archived message %s: %w", msgID, err)
	}
	return m, nil
}

// IsDataError reports whether err is the database refusing the data itself (a value out of
// range, a constraint), which retrying cannot mend.
func IsDataError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23"))
}
