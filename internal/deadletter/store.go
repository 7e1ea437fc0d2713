package deadletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound means no dead letter has the id.
var ErrNotFound = errors.New("dead letter not found")

// MaxPerPage bounds a page of List.
const MaxPerPage = 100

// Letter is an archived dead letter. Body and Headers are filled only by Get.
type Letter struct {
	ID                 int64           `json:"id"`
	Stage              string          `json:"stage"`
	Reason             string          `json:"reason"`
	OriginalExchange   string          `json:"original_exchange"`
	OriginalRoutingKey string          `json:"original_routing_key"`
	MessageID          string          `json:"message_id"`
	ContentType        string          `json:"content_type"`
	Size               int             `json:"size"`
	Truncated          bool            `json:"truncated"`
	DeadAt             time.Time       `json:"dead_at"`
	ArchivedAt         time.Time       `json:"archived_at"`
	RedrivenAt         *time.Time      `json:"redriven_at"`
	RedriveCount       int             `json:"redrive_count"`
	Headers            json.RawMessage `json:"-"`
	Body               []byte          `json:"-"`
}

// Query selects dead letters for List.
type Query struct {
	// Stage, if set, keeps letters of that stage only.
	Stage string
	// Since, if set, keeps letters that died at or after it.
	Since time.Time
	// Before, if positive, keeps letters with a smaller id (the cursor of the previous page).
	Before int64
	// PerPage is the page size, 1..MaxPerPage; zero means MaxPerPage.
	PerPage int
}

// Store keeps archived dead letters in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const letterColumns = `id, stage, reason, original_exchange, original_routing_key, message_id, content_type,
	size, truncated, dead_at, archived_at, redriven_at, redrive_count`

func scanLetter(row pgx.Row, extra ...any) (Letter, error) {
	var l Letter
	dest := append([]any{&l.ID, &l.Stage, &l.Reason, &l.OriginalExchange, &l.OriginalRoutingKey, &l.MessageID,
		&l.ContentType, &l.Size, &l.Truncated, &l.DeadAt, &l.ArchivedAt, &l.RedrivenAt, &l.RedriveCount}, extra...)
	err := row.Scan(dest...)
	return l, err
}

// mapErr names the operation and turns "no rows" into ErrNotFound.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", op, err)
}

const insertLetter = `INSERT INTO dead_letters (delivery_hash, stage, reason, original_exchange, original_routing_key,
	message_id, content_type, headers, body, size, truncated, dead_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
	ON CONFLICT (delivery_hash) DO NOTHING`

// Insert archives letters in one transaction and returns the ones that were new: a letter whose
// delivery hash is stored already (a redelivery) is skipped.
func (s *Store) Insert(ctx context.Context, letters []Archived) ([]Archived, error) {
	var added []Archived
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		added = added[:0]
		for _, a := range letters {
			tag, err := tx.Exec(ctx, insertLetter, a.Hash[:], a.Stage, a.Reason, a.OriginalExchange, a.OriginalRoutingKey,
				a.MessageID, a.ContentType, a.Headers, a.Body, a.Size, a.Truncated, a.DeadAt)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				added = append(added, a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, mapErr("archive dead letters", err)
	}
	return added, nil
}

const listLetters = `SELECT ` + letterColumns + ` FROM dead_letters
	WHERE ($1 = '' OR stage = $1) AND ($2::timestamptz IS NULL OR dead_at >= $2) AND ($3 = 0 OR id < $3)
	ORDER BY id DESC LIMIT $4`

// List returns a page of dead letters, newest archived first, without headers and bodies, and
// the cursor of the next page (zero on the last page).
func (s *Store) List(ctx context.Context, q Query) ([]Letter, int64, error) {
	per := q.PerPage
	if per <= 0 || per > MaxPerPage {
		per = MaxPerPage
	}
	var since *time.Time
	if !q.Since.IsZero() {
		since = &q.Since
	}
	rows, err := s.pool.Query(ctx, listLetters, q.Stage, since, q.Before, per+1)
	if err != nil {
		return nil, 0, mapErr("list dead letters", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Letter, error) { return scanLetter(r) })
	if err != nil {
		return nil, 0, mapErr("list dead letters", err)
	}
	var next int64
	if len(out) > per {
		out = out[:per]
		next = out[per-1].ID
	}
	return out, next, nil
}

const getLetter = `SELECT ` + letterColumns + `, headers, body FROM dead_letters WHERE id = $1`

// Get returns the dead letter with its headers and body.
func (s *Store) Get(ctx context.Context, id int64) (Letter, error) {
	var headers, body []byte
	l, err := scanLetter(s.pool.QueryRow(ctx, getLetter, id), &headers, &body)
	if err != nil {
		return Letter{}, mapErr("get dead letter", err)
	}
	l.Headers, l.Body = headers, body
	return l, nil
}

// Delete removes a dead letter.
func (s *Store) Delete(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM dead_letters WHERE id = $1`, id)
	if err != nil {
		return mapErr("delete dead letter", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete dead letter: %w", ErrNotFound)
	}
	return nil
}

const lockLetter = `SELECT ` + letterColumns + `, headers, body FROM dead_letters WHERE id = $1 FOR UPDATE`

const markRedriven = `UPDATE dead_letters SET redrive_count = redrive_count + 1, redriven_at = $2 WHERE id = $1
	RETURNING ` + letterColumns

// Redrive locks the dead letter, calls publish with it (headers and body included) and, if
// publish succeeds, counts the re-drive; it returns the updated letter. The row lock makes
// concurrent re-drives of one letter take turns, so each sees the count of the one before.
func (s *Store) Redrive(ctx context.Context, id int64, now time.Time, publish func(ctx context.Context, l Letter) error) (Letter, error) {
	var out Letter
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var headers, body []byte
		l, err := scanLetter(tx.QueryRow(ctx, lockLetter, id), &headers, &body)
		if err != nil {
			return mapErr("load dead letter", err)
		}
		l.Headers, l.Body = headers, body
		if err := publish(ctx, l); err != nil {
			return err
		}
		out, err = scanLetter(tx.QueryRow(ctx, markRedriven, id, now))
		return mapErr("mark dead letter redriven", err)
	})
	if err != nil {
		return Letter{}, fmt.Errorf("redrive dead letter %d: %w", id, err)
	}
	return out, nil
}
