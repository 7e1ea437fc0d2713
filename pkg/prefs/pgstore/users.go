package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/prefs"
)

// DeleteUser deletes the named user with everything that is theirs: destinations (and their
// pending confirmations), filters and API tokens go with the row (ON DELETE CASCADE). The
// delivery ledger and digest items keep no reference to users and stay as history; ownership and
// group membership are the account system's, by name, and stay too. Workers learn of it through
// the outbox, in the same transaction. A user that does not exist is prefs.ErrNotFound.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE name = $1`, name)
		if err != nil {
			return mapErr("delete user", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("delete user %s: %w", name, prefs.ErrNotFound)
		}
		return outboxChange(ctx, tx, name)
	})
}
