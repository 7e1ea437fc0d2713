package consumer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/pkg/message"
)

// DefaultAliasRefresh is how often the identity aliases are reread. A new confirmed address takes
// at most this long to be recognised in messages; nothing else depends on it.
const DefaultAliasRefresh = time.Minute

// aliases maps the e-mail addresses and IRC nicks of confirmed destinations to their accounts, so
// that producers that report an address instead of an account name still reach the right user.
type aliases struct {
	pool    *pgxpool.Pool
	logger  *slog.Logger
	refresh time.Duration
	cur     atomic.Pointer[message.MapAliases]
}

// newAliases returns the aliases of pool's confirmed destinations, reread every refresh
// (DefaultAliasRefresh if not positive) once run; call load before the first use.
func newAliases(pool *pgxpool.Pool, logger *slog.Logger, refresh time.Duration) *aliases {
	if refresh <= 0 {
		refresh = DefaultAliasRefresh
	}
	return &aliases{pool: pool, logger: logger, refresh: refresh}
}

// Account implements message.Aliases.
func (a *aliases) Account(k string) (string, bool) {
	m := a.cur.Load()
	if m == nil {
		return "", false
	}
	return m.Account(strings.ToLower(k))
}

// load rereads the aliases.
func (a *aliases) load(ctx context.Context) error {
	rows, err := a.pool.Query(ctx, `SELECT lower(d.address), u.name FROM destinations d JOIN users u ON u.id = d.user_id
		WHERE d.confirmed AND d.kind IN ('email', 'irc')`)
	if err != nil {
		return fmt.Errorf("load aliases: %w", err)
	}
	m := message.MapAliases{}
	var addr, name string
	if _, err := pgx.ForEachRow(rows, []any{&addr, &name}, func() error { m[addr] = name; return nil }); err != nil {
		return fmt.Errorf("load aliases: %w", err)
	}
	a.cur.Store(&m)
	return nil
}

// run rereads the aliases every refresh until ctx ends; a failed read keeps the previous ones.
func (a *aliases) run(ctx context.Context) error {
	t := time.NewTicker(a.refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := a.load(ctx); err != nil && ctx.Err() == nil {
				a.logger.WarnContext(ctx, "identity aliases not refreshed", "error", err)
			}
		}
	}
}
