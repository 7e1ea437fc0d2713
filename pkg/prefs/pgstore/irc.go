package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/prefs"
)

// SetIRCEnabled enables or disables every IRC destination whose address is nick (compared
// case-insensitively, as IRC compares nicks), whoever's it is: the IRC bot's "stop" and "start"
// commands, sent by whoever holds the nick. It returns how many destinations changed, and tells
// workers about each user whose destinations did.
func (s *Store) SetIRCEnabled(ctx context.Context, nick string, enabled bool) (int, error) {
	var n int
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		const q = `UPDATE destinations d SET enabled = $2
			FROM users u
			WHERE u.id = d.user_id AND d.kind = $3 AND lower(d.address) = lower($1) AND d.enabled <> $2
			RETURNING u.name`
		rows, err := tx.Query(ctx, q, nick, enabled, prefs.KindIRC)
		if err != nil {
			return mapErr("set irc destinations enabled", err)
		}
		users, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return mapErr("set irc destinations enabled", err)
		}
		n = len(users)
		seen := make(map[string]bool, len(users))
		for _, u := range users {
			if seen[u] {
				continue
			}
			seen[u] = true
			if err := outboxChange(ctx, tx, u); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
