package pgstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/prefs"
)

// secretBytes is the entropy of an email link's secret.
const secretBytes = 32

// maxSecretLen bounds what is looked up as a secret or code (a secret is 43 characters).
const maxSecretLen = 128

// BeginConfirmation starts the confirmation of one of user's destinations, replacing any pending
// one: a random secret for an email link, a short code for IRC. It returns them in clear, once;
// the store keeps only their SHA-256. It refuses an SSE destination (prefs.ErrNothingToConfirm),
// a confirmed one (prefs.ErrAlreadyConfirmed), one whose last confirmation was begun less than
// prefs.ConfirmationResendInterval ago (prefs.ErrConfirmationTooSoon), and one past the
// confirmation quotas per user or per address (a *prefs.QuotaError). The caller then sends it
// (confirm.Sender).
func (s *Store) BeginConfirmation(ctx context.Context, user prefs.User, destinationID int64) (prefs.Confirmation, error) {
	now := s.now().UTC().Truncate(time.Microsecond) // what Postgres keeps
	var c prefs.Confirmation
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		d, err := scanDestination(tx.QueryRow(ctx, `SELECT `+destinationColumns+` FROM destinations
			WHERE id = $1 AND user_id = $2 FOR UPDATE`, destinationID, user.ID))
		if err != nil {
			return mapErr(fmt.Sprintf("destination %d", destinationID), err)
		}
		switch {
		case d.Kind != prefs.KindEmail && d.Kind != prefs.KindIRC:
			return prefs.ErrNothingToConfirm
		case d.Confirmed:
			return prefs.ErrAlreadyConfirmed
		}
		var last time.Time
		err = tx.QueryRow(ctx, `SELECT created_at FROM destination_confirmations WHERE destination_id = $1`, d.ID).Scan(&last)
		if err == nil && now.Sub(last) < prefs.ConfirmationResendInterval && !now.Before(last) {
			return prefs.ErrConfirmationTooSoon
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return mapErr("read confirmation", err)
		}
		if err := s.recordConfirmation(ctx, tx, user, d, now); err != nil {
			return err
		}
		c = prefs.Confirmation{DestinationID: d.ID, Kind: d.Kind, Address: d.Address, CreatedAt: now}
		var clear string
		if d.Kind == prefs.KindEmail {
			c.Secret, c.ExpiresAt = newSecret(), now.Add(prefs.EmailConfirmationTTL)
			clear = c.Secret
		} else {
			c.Code, c.ExpiresAt = newCode(), now.Add(prefs.IRCConfirmationTTL)
			clear = c.Code
		}
		const q = `INSERT INTO destination_confirmations (destination_id, address, secret_hash, attempts, created_at, expires_at)
			VALUES ($1, $2, $3, 0, $4, $5)
			ON CONFLICT (destination_id) DO UPDATE SET address = $2, secret_hash = $3, attempts = 0, created_at = $4, expires_at = $5`
		if _, err := tx.Exec(ctx, q, d.ID, d.Address, hashSecret(clear), c.CreatedAt, c.ExpiresAt); err != nil {
			return mapErr("store confirmation", err)
		}
		return nil
	})
	if err != nil {
		return prefs.Confirmation{}, err
	}
	return c, nil
}

// ConfirmBySecret confirms the email destination whose pending confirmation has secret (from the
// link of a confirmation email) and returns its user and the confirmed destination. The secret
// alone is the authority: whoever holds it proves they read that inbox. It works once: a used,
// replaced or unknown secret gives prefs.ErrConfirmationInvalid, an expired one
// prefs.ErrConfirmationExpired.
func (s *Store) ConfirmBySecret(ctx context.Context, secret string) (prefs.User, prefs.Destination, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" || len(secret) > maxSecretLen {
		return prefs.User{}, prefs.Destination{}, prefs.ErrConfirmationInvalid
	}
	now := s.now()
	var (
		u       prefs.User
		d       prefs.Destination
		refusal error
	)
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		const q = `SELECT c.destination_id, c.address, d.address, c.expires_at,
				u.id, u.name, coalesce(u.email, ''), u.is_admin, u.created_at
			FROM destination_confirmations c
			JOIN destinations d ON d.id = c.destination_id
			JOIN users u ON u.id = d.user_id
			WHERE c.secret_hash = $1 AND d.kind = $2 AND NOT d.confirmed
			FOR UPDATE OF c, d`
		var (
			id             int64
			asked, current string
			expires        time.Time
		)
		err := tx.QueryRow(ctx, q, hashSecret(secret), prefs.KindEmail).Scan(&id, &asked, &current, &expires,
			&u.ID, &u.Name, &u.Email, &u.IsAdmin, &u.CreatedAt)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			refusal = prefs.ErrConfirmationInvalid
			return nil
		case err != nil:
			return mapErr("find confirmation", err)
		case asked != current:
			refusal = prefs.ErrConfirmationInvalid
			return nil
		case !now.Before(expires):
			refusal = prefs.ErrConfirmationExpired
			return nil
		}
		d, err = confirmTx(ctx, tx, u, id)
		return err
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return prefs.User{}, prefs.Destination{}, err
	}
	return u, d, nil
}

// ConfirmByCode confirms one of user's destinations with the code (or, for email, the secret)
// of its pending confirmation, as typed on the destinations page. A wrong code counts against the
// confirmation (prefs.ErrConfirmationWrongCode); after prefs.MaxConfirmationAttempts of them it
// refuses every code (prefs.ErrConfirmationTooMany) until a new confirmation is begun. Other
// refusals: prefs.ErrNothingToConfirm, prefs.ErrAlreadyConfirmed, prefs.ErrNoConfirmation,
// prefs.ErrConfirmationExpired; a destination that is not user's is prefs.ErrNotFound.
func (s *Store) ConfirmByCode(ctx context.Context, user prefs.User, destinationID int64, code string) error {
	now := s.now()
	var refusal error
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		const q = `SELECT d.kind, d.address, d.confirmed, c.address, c.secret_hash, c.attempts, c.expires_at
			FROM destinations d LEFT JOIN destination_confirmations c ON c.destination_id = d.id
			WHERE d.id = $1 AND d.user_id = $2
			FOR UPDATE OF d`
		var (
			kind, current string
			confirmed     bool
			p             pending
		)
		err := tx.QueryRow(ctx, q, destinationID, user.ID).Scan(&kind, &current, &confirmed,
			&p.address, &p.hash, &p.attempts, &p.expires)
		if err != nil {
			return mapErr(fmt.Sprintf("destination %d", destinationID), err)
		}
		p.current = current
		switch {
		case kind != prefs.KindEmail && kind != prefs.KindIRC:
			refusal = prefs.ErrNothingToConfirm
		case confirmed:
			refusal = prefs.ErrAlreadyConfirmed
		case p.hash == nil || *p.address != current:
			refusal = prefs.ErrNoConfirmation
		default:
			refusal = p.check(now)
		}
		if refusal != nil {
			return nil
		}
		if p.matches(kind, code) {
			_, err := confirmTx(ctx, tx, user, destinationID)
			return err
		}
		refusal, err = wrongCode(ctx, tx, []int64{destinationID})
		return err
	})
	if err != nil {
		return err
	}
	return refusal
}

// ConfirmIRCByCode confirms the unconfirmed IRC destination whose address is nick (compared
// case-insensitively) and whose pending code is code: the IRC bot's "confirm CODE", sent by
// whoever holds the nick. Several users may have added the same nick; only the one whose code
// matches is confirmed, and that user is returned. A wrong code counts against every pending
// confirmation of the nick (see ConfirmByCode); prefs.ErrConfirmationNoneForNick means there is
// none.
func (s *Store) ConfirmIRCByCode(ctx context.Context, nick, code string) (prefs.User, error) {
	now := s.now()
	var (
		u       prefs.User
		refusal error
	)
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		const q = `SELECT d.id, d.address, c.address, c.secret_hash, c.attempts, c.expires_at,
				u.id, u.name, coalesce(u.email, ''), u.is_admin, u.created_at
			FROM destination_confirmations c
			JOIN destinations d ON d.id = c.destination_id
			JOIN users u ON u.id = d.user_id
			WHERE d.kind = $2 AND lower(d.address) = lower($1) AND NOT d.confirmed
			ORDER BY d.id
			FOR UPDATE OF c, d`
		rows, err := tx.Query(ctx, q, nick, prefs.KindIRC)
		if err != nil {
			return mapErr("find irc confirmations", err)
		}
		type candidate struct {
			id   int64
			p    pending
			user prefs.User
		}
		cands, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (candidate, error) {
			var c candidate
			err := r.Scan(&c.id, &c.p.current, &c.p.address, &c.p.hash, &c.p.attempts, &c.p.expires,
				&c.user.ID, &c.user.Name, &c.user.Email, &c.user.IsAdmin, &c.user.CreatedAt)
			return c, err
		})
		if err != nil {
			return mapErr("find irc confirmations", err)
		}
		refusal = prefs.ErrConfirmationNoneForNick
		var live []int64
		for _, c := range cands {
			if *c.p.address != c.p.current {
				continue // made for another address
			}
			if r := c.p.check(now); r != nil {
				if !errors.Is(refusal, prefs.ErrConfirmationTooMany) { // the more useful answer of the two
					refusal = r
				}
				continue
			}
			if c.p.matches(prefs.KindIRC, code) {
				u, refusal = c.user, nil
				_, err := confirmTx(ctx, tx, c.user, c.id)
				return err
			}
			live = append(live, c.id)
		}
		if len(live) > 0 {
			refusal, err = wrongCode(ctx, tx, live)
		}
		return err
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return prefs.User{}, err
	}
	return u, nil
}

// pending is a stored confirmation as the confirm methods read it; address and hash are nil when
// there is none.
type pending struct {
	current  string // the destination's address now
	address  *string
	hash     []byte
	attempts *int
	expires  *time.Time
}

// check refuses a confirmation that took too many wrong codes or expired.
func (p pending) check(now time.Time) error {
	switch {
	case *p.attempts >= prefs.MaxConfirmationAttempts:
		return prefs.ErrConfirmationTooMany
	case !now.Before(*p.expires):
		return prefs.ErrConfirmationExpired
	}
	return nil
}

// matches compares the hash of what the user gave with the stored one, in constant time.
func (p pending) matches(kind, given string) bool {
	given = strings.TrimSpace(given)
	if kind == prefs.KindIRC {
		given = prefs.NormalizeCode(given)
	}
	if given == "" || len(given) > maxSecretLen {
		return false
	}
	return subtle.ConstantTimeCompare(hashSecret(given), p.hash) == 1
}

// wrongCode counts a wrong code against the confirmations of destinations ids and says which
// refusal that is: prefs.ErrConfirmationTooMany once none of them takes another.
func wrongCode(ctx context.Context, tx pgx.Tx, ids []int64) (refusal, err error) {
	var left int
	const q = `WITH u AS (UPDATE destination_confirmations SET attempts = attempts + 1
			WHERE destination_id = ANY($1) RETURNING attempts)
		SELECT count(*) FILTER (WHERE attempts < $2) FROM u`
	if err := tx.QueryRow(ctx, q, ids, prefs.MaxConfirmationAttempts).Scan(&left); err != nil {
		return nil, mapErr("count wrong code", err)
	}
	if left == 0 {
		return prefs.ErrConfirmationTooMany, nil
	}
	return prefs.ErrConfirmationWrongCode, nil
}

// newSecret is 32 random bytes, base64url without padding (43 characters).
func newSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newCode is ConfirmationCodeLen characters of the code alphabet, each uniformly drawn (the
// alphabet has 32 letters, so a byte modulo 32 is uniform).
func newCode() string {
	b := make([]byte, prefs.ConfirmationCodeLen)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = prefs.ConfirmationCodeAlphabet[int(b[i])%len(prefs.ConfirmationCodeAlphabet)]
	}
	return string(b)
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
