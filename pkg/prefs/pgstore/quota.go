package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// WithQuotas sets the quotas writes are held to (prefs.DefaultQuotas by default).
func WithQuotas(q prefs.Quotas) Option { return func(s *Store) { s.quotas = q } }

// Quotas returns the quotas the store holds writes to.
func (s *Store) Quotas() prefs.Quotas { return s.quotas }

// lockUser takes the lock that serialises one user's quota-checked writes, so two concurrent
// writes cannot both pass a quota the pair exceeds. FOR NO KEY UPDATE leaves the rows that
// reference the user (which take FOR KEY SHARE) free to change meanwhile.
func lockUser(ctx context.Context, tx pgx.Tx, user prefs.User) error {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE`, user.ID).Scan(&id)
	return mapErr("lock user", err)
}

// checkFilterQuotas refuses, with a *prefs.QuotaError, a write that would leave user with more
// filters, values or leading-wildcard patterns than the quotas allow: f is the filter written,
// replacing the one with f.ID when that is not 0. It runs in tx, after lockUser.
func (s *Store) checkFilterQuotas(ctx context.Context, tx pgx.Tx, user prefs.User, f rules.Filter) error {
	if err := lockUser(ctx, tx, user); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT conditions FROM filters WHERE user_id = $1 AND id <> $2`, user.ID, f.ID)
	if err != nil {
		return mapErr("read filter quotas", err)
	}
	others, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rules.Filter, error) {
		var of rules.Filter
		var conds []byte
		if err := r.Scan(&conds); err != nil {
			return of, err
		}
		return of, json.Unmarshal(conds, &of.Conditions)
	})
	if err != nil {
		return mapErr("read filter quotas", err)
	}
	w := f.Weight()
	for i := range others {
		w = w.Add(others[i].Weight())
	}
	return s.quotas.CheckFilters(len(others)+1, w)
}

// checkDestinationQuota refuses, with a *prefs.QuotaError, a new destination past the quota. It
// runs in tx.
func (s *Store) checkDestinationQuota(ctx context.Context, tx pgx.Tx, user prefs.User) error {
	return checkCount(ctx, tx, user, `SELECT count(*) FROM destinations WHERE user_id = $1`,
		"destinations per user", s.quotas.DestinationsPerUser, "delete one you no longer use first")
}

// checkTokenQuota refuses, with a *prefs.QuotaError, a new API token past the quota. It runs in
// tx.
func (s *Store) checkTokenQuota(ctx context.Context, tx pgx.Tx, user prefs.User) error {
	return checkCount(ctx, tx, user, `SELECT count(*) FROM api_tokens WHERE user_id = $1`,
		"API tokens per user", s.quotas.TokensPerUser, "delete one first")
}

// checkCount refuses, with a *prefs.QuotaError for quota, one more of what countQuery counts of
// user's when there are limit already (no limit below 1). It runs in tx, under lockUser.
func checkCount(ctx context.Context, tx pgx.Tx, user prefs.User, countQuery, quota string, limit int, hint string) error {
	if limit < 1 {
		return nil
	}
	if err := lockUser(ctx, tx, user); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, countQuery, user.ID).Scan(&n); err != nil {
		return mapErr("count "+quota, err)
	}
	if n >= limit {
		return &prefs.QuotaError{Quota: quota, Limit: limit, Hint: hint}
	}
	return nil
}

// confirmationTarget is what the per-address confirmation quota counts by: the kind and the
// address as its owner sees it (inboxes and nicks are compared without case).
func confirmationTarget(d prefs.Destination) string {
	return d.Kind + ":" + strings.ToLower(d.Address)
}

// recordConfirmation counts one confirmation sent by user to d at now, refusing it with a
// *prefs.QuotaError when the user, or anyone for d's address, has sent as many as the quotas
// allow in the last prefs.ConfirmationQuotaWindow. Sends are kept apart from destinations, so
// deleting a destination (or the account) and adding it again frees nothing. It runs in tx.
func (s *Store) recordConfirmation(ctx context.Context, tx pgx.Tx, user prefs.User, d prefs.Destination, now time.Time) error {
	target := confirmationTarget(d)
	// One address at a time, whoever asks: two users cannot both take its last send.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('fmn-confirmation:' || $1, 0))`, target); err != nil {
		return mapErr("lock confirmation target", err)
	}
	since := now.Add(-prefs.ConfirmationQuotaWindow)
	if _, err := tx.Exec(ctx, `DELETE FROM confirmation_sends WHERE sent_at < $1`, since); err != nil {
		return mapErr("prune confirmation sends", err)
	}
	check := func(quota string, limit int, col string, arg any, hint string) error {
		if limit < 1 {
			return nil
		}
		var n int
		var oldest *time.Time
		q := `SELECT count(*), min(sent_at) FROM confirmation_sends WHERE ` + col + ` = $1 AND sent_at >= $2`
		if err := tx.QueryRow(ctx, q, arg, since).Scan(&n, &oldest); err != nil {
			return mapErr("count confirmation sends", err)
		}
		if n < limit {
			return nil
		}
		retry := prefs.ConfirmationQuotaWindow
		if oldest != nil {
			retry = max(time.Second, oldest.Add(prefs.ConfirmationQuotaWindow).Sub(now))
		}
		return &prefs.QuotaError{Quota: quota, Limit: limit, RetryAfter: retry,
			Hint: fmt.Sprintf("%s; try again in %s", hint, retry.Round(time.Minute).String())}
	}
	if err := check("confirmations per user per hour", s.quotas.ConfirmationsPerUser, "user_id", user.ID,
		"check the addresses you added"); err != nil {
		return err
	}
	if err := check("confirmations per address per hour", s.quotas.ConfirmationsPerAddress, "target", target,
		"this address was sent several already; look for them in its inbox or client"); err != nil {
		return err
	}
	const q = `INSERT INTO confirmation_sends (user_id, target, sent_at) VALUES ($1, $2, $3)`
	if _, err := tx.Exec(ctx, q, user.ID, target, now); err != nil {
		return mapErr("record confirmation send", err)
	}
	return nil
}
