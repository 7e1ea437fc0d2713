// Package pgstore is the PostgreSQL store of fmn's preferences. Every method that touches a
// user's data takes that user's id and scopes its query by it. Every write also adds an outbox row
// in the same transaction, so workers learn about it (see Relay).
package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// Store reads and writes preferences.
type Store struct {
	pool     *pgxpool.Pool
	defaults []rules.Filter
	now      func() time.Time
	quotas   prefs.Quotas
}

// Option configures a Store.
type Option func(*Store)

// WithDefaultFilters sets the filters new users start with (prefs.DefaultFilters by default; an
// empty list gives new users none).
func WithDefaultFilters(fs []rules.Filter) Option { return func(s *Store) { s.defaults = fs } }

// WithClock sets the clock of confirmations: when they are made, expire and may be renewed
// (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns a store on pool.
func New(pool *pgxpool.Pool, opts ...Option) *Store {
	s := &Store{pool: pool, defaults: prefs.DefaultFilters(), now: time.Now, quotas: prefs.DefaultQuotas()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// mapErr turns driver errors into prefs errors, once, here.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, prefs.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%s: %w", op, prefs.ErrConflict)
		case "23503":
			return fmt.Errorf("%s: %w", op, prefs.ErrNotFound)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// withTx runs fn in a transaction and commits it.
func (s *Store) withTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// outboxChange records a change of user's preferences for workers, in the same transaction as
// the change itself. An empty user means a change that may touch anyone (ownership, membership):
// workers reload everything.
func outboxChange(ctx context.Context, tx pgx.Tx, user string) error {
	payload, err := json.Marshal(map[string]any{"user": user})
	if err != nil {
		return fmt.Errorf("outbox payload: %w", err)
	}
	const q = `WITH o AS (INSERT INTO prefs_outbox (payload) VALUES ($1) RETURNING id)
		UPDATE prefs_version SET version = (SELECT id FROM o)`
	if _, err := tx.Exec(ctx, q, payload); err != nil {
		return fmt.Errorf("outbox insert: %w", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, '')", NotifyChannel); err != nil {
		return fmt.Errorf("outbox notify: %w", err)
	}
	return nil
}

// CreateUser creates a user with the SSE destination every user has and the default filters
// sending to it.
func (s *Store) CreateUser(ctx context.Context, name, email string) (prefs.User, error) {
	return s.CreateUserWithSubject(ctx, name, email, "")
}

// CreateUserWithSubject is CreateUser for a user who logs in as the OpenID subject sub (none
// when empty), bound in the same transaction: the account is never unbound in between. It gives
// prefs.ErrConflict when the name or the subject is taken.
func (s *Store) CreateUserWithSubject(ctx context.Context, name, email, sub string) (prefs.User, error) {
	if err := prefs.ValidateUserName(name); err != nil {
		return prefs.User{}, err
	}
	var u prefs.User
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		const q = `INSERT INTO users (name, email, oidc_subject) VALUES ($1, NULLIF($2, ''), NULLIF($3, ''))
			RETURNING id, name, coalesce(email, ''), is_admin, created_at`
		if err := tx.QueryRow(ctx, q, name, email, sub).Scan(&u.ID, &u.Name, &u.Email, &u.IsAdmin, &u.CreatedAt); err != nil {
			return mapErr("insert user", err)
		}
		const qd = `INSERT INTO destinations (user_id, kind, address, confirmed) VALUES ($1, 'sse', $2, true) RETURNING id`
		var sse int64
		if err := tx.QueryRow(ctx, qd, u.ID, name).Scan(&sse); err != nil {
			return mapErr("insert sse destination", err)
		}
		for _, f := range s.defaults {
			f.User, f.Destinations = name, []int64{sse}
			if _, err := insertFilter(ctx, tx, u.ID, f); err != nil {
				return fmt.Errorf("default filter %q: %w", f.Name, err)
			}
		}
		return outboxChange(ctx, tx, name)
	})
	return u, err
}

// UserByName returns the named user.
func (s *Store) UserByName(ctx context.Context, name string) (prefs.User, error) {
	var u prefs.User
	const q = `SELECT id, name, coalesce(email, ''), is_admin, created_at FROM users WHERE name = $1`
	err := s.pool.QueryRow(ctx, q, name).Scan(&u.ID, &u.Name, &u.Email, &u.IsAdmin, &u.CreatedAt)
	return u, mapErr("user by name", err)
}

const destinationColumns = `id, user_id, kind, address, confirmed, enabled, format,
	coalesce(extract(epoch FROM digest_max_delay), 0)::float8, coalesce(digest_max_count, 0)`

func scanDestination(row pgx.Row) (prefs.Destination, error) {
	var d prefs.Destination
	var delay float64
	err := row.Scan(&d.ID, &d.UserID, &d.Kind, &d.Address, &d.Confirmed, &d.Enabled, &d.Format, &delay, &d.DigestMaxCount)
	d.DigestMaxDelay = time.Duration(delay * float64(time.Second))
	return d, err
}

// CreateDestination adds a destination for user, within the destinations quota (a
// *prefs.QuotaError past it). It starts unconfirmed unless it is the SSE stream, which needs no
// confirmation.
func (s *Store) CreateDestination(ctx context.Context, user prefs.User, d prefs.Destination) (prefs.Destination, error) {
	if err := prefs.ValidateDestination(&d); err != nil {
		return prefs.Destination{}, err
	}
	var out prefs.Destination
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if err := s.checkDestinationQuota(ctx, tx, user); err != nil {
			return err
		}
		q := `INSERT INTO destinations (user_id, kind, address, confirmed, enabled, format, digest_max_delay, digest_max_count)
			VALUES ($1, $2, $3, $4, true, $5, NULLIF($6::float8, 0) * interval '1 second', NULLIF($7, 0))
			RETURNING ` + destinationColumns
		var err error
		out, err = scanDestination(tx.QueryRow(ctx, q, user.ID, d.Kind, d.Address, d.Kind == prefs.KindSSE,
			d.Format, d.DigestMaxDelay.Seconds(), d.DigestMaxCount))
		if err != nil {
			return mapErr("insert destination", err)
		}
		return outboxChange(ctx, tx, user.Name)
	})
	return out, err
}

// ConfirmDestination marks one of user's destinations confirmed without a secret or code (an
// admin's override); a pending confirmation of it is dropped.
func (s *Store) ConfirmDestination(ctx context.Context, user prefs.User, id int64) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		_, err := confirmTx(ctx, tx, user, id)
		return err
	})
}

// confirmTx marks one of user's destinations confirmed, drops its pending confirmation and tells
// workers, in tx. It is the one confirm path: by an admin, a link, or a code.
func confirmTx(ctx context.Context, tx pgx.Tx, user prefs.User, id int64) (prefs.Destination, error) {
	d, err := scanDestination(tx.QueryRow(ctx, `UPDATE destinations SET confirmed = true WHERE id = $1 AND user_id = $2
		RETURNING `+destinationColumns, id, user.ID))
	if err != nil {
		return prefs.Destination{}, mapErr(fmt.Sprintf("confirm destination %d", id), err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM destination_confirmations WHERE destination_id = $1`, id); err != nil {
		return prefs.Destination{}, mapErr("delete confirmation", err)
	}
	return d, outboxChange(ctx, tx, user.Name)
}

// Destination returns one of user's destinations.
func (s *Store) Destination(ctx context.Context, user prefs.User, id int64) (prefs.Destination, error) {
	d, err := scanDestination(s.pool.QueryRow(ctx, `SELECT `+destinationColumns+` FROM destinations WHERE id = $1 AND user_id = $2`, id, user.ID))
	return d, mapErr("destination", err)
}

// Destinations lists user's destinations.
func (s *Store) Destinations(ctx context.Context, user prefs.User) ([]prefs.Destination, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+destinationColumns+` FROM destinations WHERE user_id = $1 ORDER BY id`, user.ID)
	if err != nil {
		return nil, mapErr("list destinations", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (prefs.Destination, error) { return scanDestination(r) })
	return out, mapErr("list destinations", err)
}

// CreateFilter validates and stores a filter of user's, within the filter quotas (a
// *prefs.QuotaError past them). Its destinations must be user's own.
func (s *Store) CreateFilter(ctx context.Context, user prefs.User, f rules.Filter) (rules.Filter, error) {
	f.User, f.ID = user.Name, 0
	if err := f.Validate(); err != nil {
		return rules.Filter{}, err
	}
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if err := s.checkFilterQuotas(ctx, tx, user, f); err != nil {
			return err
		}
		var err error
		if f.ID, err = insertFilter(ctx, tx, user.ID, f); err != nil {
			return err
		}
		return outboxChange(ctx, tx, user.Name)
	})
	if err != nil {
		return rules.Filter{}, err
	}
	return f, nil
}

// insertFilter stores a validated filter and links its destinations, which must be the user's.
func insertFilter(ctx context.Context, tx pgx.Tx, userID int64, f rules.Filter) (int64, error) {
	conds, err := json.Marshal(f.Conditions)
	if err != nil {
		return 0, fmt.Errorf("encode conditions: %w", err)
	}
	var id int64
	const q = `INSERT INTO filters (user_id, name, enabled, one_shot, conditions) VALUES ($1, $2, $3, $4, $5) RETURNING id`
	if err := tx.QueryRow(ctx, q, userID, f.Name, f.Enabled, f.OneShot, conds).Scan(&id); err != nil {
		return 0, mapErr("insert filter", err)
	}
	return id, linkDestinations(ctx, tx, userID, id, f.Destinations)
}

// linkDestinations links a filter to destinations, refusing any that is not the user's own.
func linkDestinations(ctx context.Context, tx pgx.Tx, userID, filterID int64, dests []int64) error {
	const qd = `INSERT INTO filter_destinations (filter_id, destination_id)
		SELECT $1, d.id FROM destinations d WHERE d.user_id = $2 AND d.id = ANY($3)`
	tag, err := tx.Exec(ctx, qd, filterID, userID, dests)
	if err != nil {
		return mapErr("link filter destinations", err)
	}
	if int(tag.RowsAffected()) != len(uniqueIDs(dests)) {
		return &prefs.InvalidError{Field: "destinations", Reason: "names a destination that is not yours"}
	}
	return nil
}

func uniqueIDs(ids []int64) map[int64]struct{} {
	m := make(map[int64]struct{}, len(ids))
	for _, id := range ids {
		m[id] = struct{}{}
	}
	return m
}

// DisableFilters disables those of ids that are user's filters (the one-click mute of an
// email). It returns how many it disabled; filters already disabled, or not user's, are left
// alone, so repeating it changes nothing.
func (s *Store) DisableFilters(ctx context.Context, user prefs.User, ids []int64) (int, error) {
	var n int
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		const q = `UPDATE filters SET enabled = false, updated_at = now()
			WHERE user_id = $1 AND id = ANY($2) AND enabled`
		tag, err := tx.Exec(ctx, q, user.ID, ids)
		if err != nil {
			return mapErr("disable filters", err)
		}
		n = int(tag.RowsAffected())
		if n == 0 {
			return nil
		}
		return outboxChange(ctx, tx, user.Name)
	})
	return n, err
}

// Filters lists user's filters.
func (s *Store) Filters(ctx context.Context, user prefs.User) ([]rules.Filter, error) {
	return s.filters(ctx, user, 0)
}

// filters lists user's filters, or only the one with id when id is not 0.
func (s *Store) filters(ctx context.Context, user prefs.User, id int64) ([]rules.Filter, error) {
	const q = `SELECT f.id, f.name, f.enabled, f.one_shot, f.conditions,
			coalesce(array_agg(fd.destination_id ORDER BY fd.destination_id) FILTER (WHERE fd.destination_id IS NOT NULL), '{}')
		FROM filters f LEFT JOIN filter_destinations fd ON fd.filter_id = f.id
		WHERE f.user_id = $1 AND ($2 = 0 OR f.id = $2) GROUP BY f.id ORDER BY f.id`
	rows, err := s.pool.Query(ctx, q, user.ID, id)
	if err != nil {
		return nil, mapErr("list filters", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rules.Filter, error) {
		f := rules.Filter{User: user.Name}
		var conds []byte
		if err := r.Scan(&f.ID, &f.Name, &f.Enabled, &f.OneShot, &conds, &f.Destinations); err != nil {
			return f, err
		}
		return f, json.Unmarshal(conds, &f.Conditions)
	})
	return out, mapErr("list filters", err)
}

// Version returns the current change version.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT version FROM prefs_version`).Scan(&v)
	return v, mapErr("read prefs version", err)
}
