// Package ledger is the delivery ledger: the Postgres table that records, per notification id,
// whether a notification was delivered or given up on. The backend asks it "already sent?"
// before sending and records the outcome right after, which is what turns the broker's
// at-least-once redeliveries into at-most-once sends (DESIGN.md §5).
//
// The one window it cannot close is between the mail server accepting a message and the ledger
// row being committed: a backend that dies exactly there has sent the notification but not
// recorded it, and the broker's redelivery sends it again. That window is one database round
// trip wide; closing it would need the mail server to take part in a transaction.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/internal/wire"
)

// Status is a notification's final state.
type Status string

// The statuses a ledger row can have.
const (
	// StatusSent means the destination's server accepted the notification.
	StatusSent Status = "sent"
	// StatusFailedPermanent means the server refused it for good (bad address, rejected).
	StatusFailedPermanent Status = "failed_permanent"
	// StatusDead means every retry of a temporary failure failed.
	StatusDead Status = "dead"
)

// MaxErrorLen bounds LastError, in bytes.
const MaxErrorLen = 300

// ErrNotFound means the ledger has no row for the notification.
var ErrNotFound = errors.New("ledger: no such delivery")

// Entry is one ledger row.
type Entry struct {
	NotificationID string
	MessageID      string
	User           string
	DestinationID  int64
	Channel        string
	Status         Status
	// Attempts counts the sends tried, the successful one included.
	Attempts int
	// LastError is the last failure, short and free of secrets; empty for sent rows.
	LastError string
	// At is when the outcome happened (the row's updated_at; also created_at for a new row).
	At time.Time
}

// EntryFor returns the entry recording n's outcome on channel.
func EntryFor(n wire.Notification, channel string, status Status, attempts int, lastError string, at time.Time) Entry {
	return Entry{
		NotificationID: n.ID, MessageID: n.MessageID, User: n.User, DestinationID: n.Destination.ID,
		Channel: channel, Status: status, Attempts: max(attempts, 1), LastError: ShortError(lastError), At: at,
	}
}

// ShortError makes s fit the ledger: control characters become spaces and it is cut to
// MaxErrorLen bytes on a rune boundary.
func ShortError(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) <= MaxErrorLen {
		return s
	}
	cut := MaxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Ledger reads and writes the deliveries table.
type Ledger struct {
	pool *pgxpool.Pool
}

// New returns a Ledger on pool.
func New(pool *pgxpool.Pool) *Ledger { return &Ledger{pool: pool} }

const sentSQL = `SELECT notification_id FROM deliveries WHERE notification_id = ANY($1) AND status = 'sent'`

// Sent returns which of ids were already sent. Rows of failed notifications do not count: a
// dead letter that an operator re-drives must be tried again.
func (l *Ledger) Sent(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := l.pool.Query(ctx, sentSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("look up deliveries: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("look up deliveries: %w", err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// recordSQL inserts a row or updates one that is not yet sent: sent is final, so a late failure
// report (say, of a duplicate that lost a race) never overwrites it.
const recordSQL = `
INSERT INTO deliveries (notification_id, message_id, user_name, destination_id, channel, status,
                        attempts, last_error, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), coalesce($9, now()), coalesce($9, now()))
ON CONFLICT (notification_id) DO UPDATE
SET status = EXCLUDED.status, attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error,
    updated_at = EXCLUDED.updated_at
WHERE deliveries.status <> 'sent'`

// Record writes entries in one round trip. It is idempotent.
func (l *Ledger) Record(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, e := range entries {
		var at *time.Time
		if !e.At.IsZero() {
			at = &e.At
		}
		b.Queue(recordSQL, e.NotificationID, e.MessageID, e.User, e.DestinationID, e.Channel, string(e.Status),
			max(e.Attempts, 1), ShortError(e.LastError), at)
	}
	if err := l.pool.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("record %d deliveries: %w", len(entries), err)
	}
	return nil
}

const getSQL = `
SELECT notification_id, message_id, user_name, destination_id, channel, status, attempts,
       coalesce(last_error, ''), updated_at
FROM deliveries WHERE notification_id = $1`

// Get returns the row of one notification, or ErrNotFound.
func (l *Ledger) Get(ctx context.Context, id string) (Entry, error) {
	var e Entry
	var status string
	err := l.pool.QueryRow(ctx, getSQL, id).Scan(&e.NotificationID, &e.MessageID, &e.User, &e.DestinationID,
		&e.Channel, &status, &e.Attempts, &e.LastError, &e.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get delivery %s: %w", id, err)
	}
	e.Status = Status(status)
	return e, nil
}

// Ping checks the database connection (readiness).
func (l *Ledger) Ping(ctx context.Context) error { return l.pool.Ping(ctx) }

// WithUTC returns e with At in UTC (for comparisons).
func (e Entry) WithUTC() Entry { e.At = e.At.UTC(); return e }
