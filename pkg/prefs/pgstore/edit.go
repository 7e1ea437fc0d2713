package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// Filter returns one of user's filters.
func (s *Store) Filter(ctx context.Context, user prefs.User, id int64) (rules.Filter, error) {
	fs, err := s.filters(ctx, user, id)
	if err != nil {
		return rules.Filter{}, err
	}
	if len(fs) == 0 {
		return rules.Filter{}, fmt.Errorf("filter %d: %w", id, prefs.ErrNotFound)
	}
	return fs[0], nil
}

// UpdateFilter replaces one of user's filters (name, enabled, one-shot, conditions, destinations),
// within the filter quotas (a *prefs.QuotaError past them).
func (s *Store) UpdateFilter(ctx context.Context, user prefs.User, f rules.Filter) (rules.Filter, error) {
	f.User = user.Name
	if err := f.Validate(); err != nil {
		return rules.Filter{}, err
	}
	conds, err := json.Marshal(f.Conditions)
	if err != nil {
		return rules.Filter{}, fmt.Errorf("encode conditions: %w", err)
	}
	err = s.withTx(ctx, func(tx pgx.Tx) error {
		if err := s.checkFilterQuotas(ctx, tx, user, f); err != nil {
			return err
		}
		const q = `UPDATE filters SET name = $3, enabled = $4, one_shot = $5, conditions = $6, updated_at = now()
			WHERE id = $1 AND user_id = $2`
		tag, err := tx.Exec(ctx, q, f.ID, user.ID, f.Name, f.Enabled, f.OneShot, conds)
		if err != nil {
			return mapErr("update filter", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("update filter %d: %w", f.ID, prefs.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM filter_destinations WHERE filter_id = $1`, f.ID); err != nil {
			return mapErr("unlink filter destinations", err)
		}
		if err := linkDestinations(ctx, tx, user.ID, f.ID, f.Destinations); err != nil {
			return err
		}
		return outboxChange(ctx, tx, user.Name)
	})
	if err != nil {
		return rules.Filter{}, err
	}
	return f, nil
}

// SetFilterEnabled enables or disables one of user's filters.
func (s *Store) SetFilterEnabled(ctx context.Context, user prefs.User, id int64, enabled bool) error {
	return s.changeOne(ctx, user, "set filter enabled",
		`UPDATE filters SET enabled = $3, updated_at = now() WHERE id = $1 AND user_id = $2`, id, enabled)
}

// DeleteFilter deletes one of user's filters.
func (s *Store) DeleteFilter(ctx context.Context, user prefs.User, id int64) error {
	return s.changeOne(ctx, user, "delete filter", `DELETE FROM filters WHERE id = $1 AND user_id = $2`, id)
}

// UpdateDestination changes one of user's destinations.
func (s *Store) UpdateDestination(ctx context.Context, user prefs.User, id int64, u prefs.DestinationUpdate) error {
	if u.Format != nil && *u.Format != prefs.FormatShort && *u.Format != prefs.FormatVerbose {
		return &prefs.InvalidError{Field: "format", Reason: `must be "short" or "verbose"`}
	}
	if (u.DigestMaxDelay != nil && *u.DigestMaxDelay < 0) || (u.DigestMaxCount != nil && *u.DigestMaxCount < 0) {
		return &prefs.InvalidError{Field: "digest", Reason: "limits must not be negative"}
	}
	var delay *float64
	if u.DigestMaxDelay != nil {
		d := u.DigestMaxDelay.Seconds()
		delay = &d
	}
	return s.changeOne(ctx, user, "update destination", `UPDATE destinations SET
			enabled = coalesce($3, enabled), format = coalesce($4, format),
			digest_max_delay = CASE WHEN $5::float8 IS NULL THEN digest_max_delay ELSE NULLIF($5::float8, 0) * interval '1 second' END,
			digest_max_count = CASE WHEN $6::int IS NULL THEN digest_max_count ELSE NULLIF($6::int, 0) END
		WHERE id = $1 AND user_id = $2`, id, u.Enabled, u.Format, delay, u.DigestMaxCount)
}

// DeleteDestination deletes one of user's destinations; filters stop sending there.
func (s *Store) DeleteDestination(ctx context.Context, user prefs.User, id int64) error {
	return s.changeOne(ctx, user, "delete destination", `DELETE FROM destinations WHERE id = $1 AND user_id = $2`, id)
}

// changeOne runs a statement that must touch exactly one row of user's ($1 = id, $2 = user id),
// with the outbox row, in one transaction.
func (s *Store) changeOne(ctx context.Context, user prefs.User, op, q string, id int64, args ...any) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, q, append([]any{id, user.ID}, args...)...)
		if err != nil {
			return mapErr(op, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%s %d: %w", op, id, prefs.ErrNotFound)
		}
		return outboxChange(ctx, tx, user.Name)
	})
}
