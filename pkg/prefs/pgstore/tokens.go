package pgstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/prefs"
)

// tokenHash is what the database keeps of a token.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateAPIToken creates an API token named name for user, within the tokens quota (a
// *prefs.QuotaError past it), and returns it with its secret, which is not kept and cannot be
// shown again.
func (s *Store) CreateAPIToken(ctx context.Context, user prefs.User, name string) (prefs.APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return prefs.APIToken{}, "", &prefs.InvalidError{Field: "name", Reason: "must be 1 to 100 characters"}
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return prefs.APIToken{}, "", fmt.Errorf("api token: %w", err)
	}
	secret := prefs.APITokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	var t prefs.APIToken
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if err := s.checkTokenQuota(ctx, tx, user); err != nil {
			return err
		}
		const q = `INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING id, name, created_at`
		return mapErr("insert api token", tx.QueryRow(ctx, q, user.ID, name, tokenHash(secret)).Scan(&t.ID, &t.Name, &t.CreatedAt))
	})
	if err != nil {
		return prefs.APIToken{}, "", err
	}
	return t, secret, nil
}

// APITokens lists user's API tokens, newest first.
func (s *Store) APITokens(ctx context.Context, user prefs.User) ([]prefs.APIToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, created_at, last_used_at FROM api_tokens
		WHERE user_id = $1 ORDER BY id DESC`, user.ID)
	if err != nil {
		return nil, mapErr("list api tokens", err)
	}
	ts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (prefs.APIToken, error) {
		var t prefs.APIToken
		err := row.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.LastUsedAt)
		return t, err
	})
	return ts, mapErr("list api tokens", err)
}

// DeleteAPIToken deletes one of user's API tokens.
func (s *Store) DeleteAPIToken(ctx context.Context, user prefs.User, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, id, user.ID)
	if err != nil {
		return mapErr("delete api token", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete api token: %w", prefs.ErrNotFound)
	}
	return nil
}

// UserByAPIToken returns the owner of the API token secret and notes that it was used. Unknown
// tokens give prefs.ErrNotFound.
func (s *Store) UserByAPIToken(ctx context.Context, secret string) (prefs.User, error) {
	var u prefs.User
	if !strings.HasPrefix(secret, prefs.APITokenPrefix) {
		return u, fmt.Errorf("user by api token: %w", prefs.ErrNotFound)
	}
	const q = `UPDATE api_tokens t SET last_used_at = now() FROM users u
		WHERE t.token_hash = $1 AND u.id = t.user_id
		RETURNING u.id, u.name, coalesce(u.email, ''), u.is_admin, u.created_at`
	err := s.pool.QueryRow(ctx, q, tokenHash(secret)).Scan(&u.ID, &u.Name, &u.Email, &u.IsAdmin, &u.CreatedAt)
	return u, mapErr("user by api token", err)
}

// Users lists users whose name starts with prefix, in name order, after the name after (keyset
// paging: pass the last name of the previous page), at most limit of them. It is for
// administrators.
func (s *Store) Users(ctx context.Context, prefix, after string, limit int) ([]prefs.UserSummary, error) {
	const q = `SELECT u.id, u.name, coalesce(u.email, ''), u.is_admin, u.created_at,
			(SELECT count(*) FROM destinations d WHERE d.user_id = u.id),
			(SELECT count(*) FROM filters f WHERE f.user_id = u.id)
		FROM users u
		WHERE u.name COLLATE "C" LIKE $1 AND u.name COLLATE "C" > $2
		ORDER BY u.name COLLATE "C" LIMIT $3`
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix) + "%"
	rows, err := s.pool.Query(ctx, q, like, after, limit)
	if err != nil {
		return nil, mapErr("list users", err)
	}
	us, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (prefs.UserSummary, error) {
		var u prefs.UserSummary
		err := row.Scan(&u.ID, &u.Name, &u.Email, &u.IsAdmin, &u.CreatedAt, &u.Destinations, &u.Filters)
		return u, err
	})
	return us, mapErr("list users", err)
}

// CountUsers returns how many users there are (an estimate above a few thousand: exact counts of
// big tables are slow in PostgreSQL and the admin page only shows the size).
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT CASE WHEN reltuples < 10000 THEN (SELECT count(*) FROM users)
		ELSE reltuples::bigint END FROM pg_class WHERE oid = 'users'::regclass`).Scan(&n)
	return n, mapErr("count users", err)
}

// SetAdmin grants or withdraws administrator rights.
func (s *Store) SetAdmin(ctx context.Context, name string, admin bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET is_admin = $2 WHERE name = $1`, name, admin)
	if err != nil {
		return mapErr("set admin", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set admin: %w", prefs.ErrNotFound)
	}
	return nil
}

// BindSubject records that name logs in as the OpenID subject sub. A user already bound to sub
// passes; one bound to another subject, or sub bound to another user, gives prefs.ErrConflict. A
// user bound to no subject yet (created before its first login) is bound to sub only when
// claimUnbound is set, when the provider guarantees that only that account presents its name;
// otherwise it gives prefs.ErrSubjectUnconfirmed, and the operator binds it (SetSubject).
func (s *Store) BindSubject(ctx context.Context, name, sub string, claimUnbound bool) error {
	var bound *string
	err := s.pool.QueryRow(ctx, `UPDATE users SET oidc_subject = CASE WHEN $3 THEN coalesce(oidc_subject, $2) ELSE oidc_subject END
		WHERE name = $1 RETURNING oidc_subject`, name, sub, claimUnbound).Scan(&bound)
	switch {
	case err != nil:
		return mapErr("bind subject", err)
	case bound == nil:
		return fmt.Errorf("bind subject: user %q, subject %q: %w", name, sub, prefs.ErrSubjectUnconfirmed)
	case *bound != sub:
		return fmt.Errorf("bind subject: user %q belongs to another account: %w", name, prefs.ErrConflict)
	}
	return nil
}

// SetSubject binds name to the OpenID subject sub on the operator's word, replacing any earlier
// binding (an account moved to another login); an empty sub unbinds it. It gives prefs.ErrConflict
// when sub is another user's.
func (s *Store) SetSubject(ctx context.Context, name, sub string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET oidc_subject = NULLIF($2, '') WHERE name = $1`, name, sub)
	if err != nil {
		return mapErr("set subject", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set subject: %w", prefs.ErrNotFound)
	}
	return nil
}
