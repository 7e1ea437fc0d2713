// Package popdb writes a synthetic population (internal/population) into fmn's database, with
// COPY, so benchmarks and the load tool can work at 100k users.
package popdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/internal/population"
	"fmn/pkg/prefs"
)

// Stats counts what Load wrote.
type Stats struct {
	Users, Destinations, Filters, Ownership, Memberships int
}

// Load writes p into an empty database: every user, their destinations (the population's first
// destination of a user becomes their SSE stream, the second a confirmed e-mail address), their
// filters, ownership and memberships. Filter and destination ids are the database's own.
func Load(ctx context.Context, pool *pgxpool.Pool, p *population.Population) (Stats, error) {
	var st Stats
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return fmt.Errorf("count users: %w", err)
		}
		if n != 0 {
			return fmt.Errorf("load population: the database already has %d users", n)
		}
		userIDs, err := copyUsers(ctx, tx, p.Users)
		if err != nil {
			return err
		}
		st.Users = len(userIDs)
		destIDs, err := copyDestinations(ctx, tx, p, userIDs)
		if err != nil {
			return err
		}
		st.Destinations = len(destIDs)
		if st.Filters, err = copyFilters(ctx, tx, p, userIDs, destIDs); err != nil {
			return err
		}
		if st.Ownership, st.Memberships, err = copyOwnership(ctx, tx, p); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE prefs_version SET version = version + 1`)
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("load population: %w", err)
	}
	// Fresh statistics, as autovacuum would soon make them: without them the planner scans
	// whole tables for one user's rows.
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return Stats{}, fmt.Errorf("analyze: %w", err)
	}
	return st, nil
}

func copyUsers(ctx context.Context, tx pgx.Tx, names []string) (map[string]int64, error) {
	rows := make([][]any, len(names))
	for i, n := range names {
		rows[i] = []any{n}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"name"}, pgx.CopyFromRows(rows)); err != nil {
		return nil, fmt.Errorf("copy users: %w", err)
	}
	ids := make(map[string]int64, len(names))
	r, err := tx.Query(ctx, `SELECT id, name FROM users`)
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	var id int64
	var name string
	_, err = pgx.ForEachRow(r, []any{&id, &name}, func() error { ids[name] = id; return nil })
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	return ids, nil
}

// copyDestinations creates every destination the population's filters name and returns the
// population id → database id map.
func copyDestinations(ctx context.Context, tx pgx.Tx, p *population.Population, users map[string]int64) (map[int64]int64, error) {
	type dest struct {
		user string
		pop  int64
	}
	seen := map[int64]bool{}
	var order []dest
	for _, f := range p.Snapshot.Filters {
		for _, d := range f.Destinations {
			if !seen[d] {
				seen[d] = true
				order = append(order, dest{f.User, d})
			}
		}
	}
	first := map[string]bool{}
	rows := make([][]any, len(order))
	for i, d := range order {
		kind, addr := prefs.KindSSE, d.user
		if first[d.user] {
			kind, addr = prefs.KindEmail, d.user+"@example.org"
		}
		first[d.user] = true
		rows[i] = []any{users[d.user], kind, addr, true, strconv.FormatInt(d.pop, 10)}
	}
	// The population id rides along in a temporary table until the real ids are known.
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE pop_dest (user_id bigint, kind text, address text, confirmed bool, pop_id text) ON COMMIT DROP`); err != nil {
		return nil, fmt.Errorf("temp destinations: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pop_dest"}, []string{"user_id", "kind", "address", "confirmed", "pop_id"}, pgx.CopyFromRows(rows)); err != nil {
		return nil, fmt.Errorf("copy destinations: %w", err)
	}
	r, err := tx.Query(ctx, `WITH ins AS (
			INSERT INTO destinations (user_id, kind, address, confirmed)
			SELECT user_id, kind, address, confirmed FROM pop_dest RETURNING id, user_id, kind, address)
		SELECT ins.id, p.pop_id FROM ins JOIN pop_dest p USING (user_id, kind, address)`)
	if err != nil {
		return nil, fmt.Errorf("insert destinations: %w", err)
	}
	ids := make(map[int64]int64, len(order))
	var id int64
	var pop string
	_, err = pgx.ForEachRow(r, []any{&id, &pop}, func() error {
		n, err := strconv.ParseInt(pop, 10, 64)
		ids[n] = id
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("insert destinations: %w", err)
	}
	return ids, nil
}

func copyFilters(ctx context.Context, tx pgx.Tx, p *population.Population, users map[string]int64, dests map[int64]int64) (int, error) {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE pop_filter (pop_id bigint, user_id bigint, name text, enabled bool, conditions jsonb, dests bigint[]) ON COMMIT DROP`); err != nil {
		return 0, fmt.Errorf("temp filters: %w", err)
	}
	rows := make([][]any, len(p.Snapshot.Filters))
	for i, f := range p.Snapshot.Filters {
		conds, err := json.Marshal(f.Conditions)
		if err != nil {
			return 0, fmt.Errorf("encode filter %d: %w", f.ID, err)
		}
		ds := make([]int64, len(f.Destinations))
		for j, d := range f.Destinations {
			ds[j] = dests[d]
		}
		rows[i] = []any{f.ID, users[f.User], f.Name, f.Enabled, string(conds), ds}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pop_filter"}, []string{"pop_id", "user_id", "name", "enabled", "conditions", "dests"}, pgx.CopyFromRows(rows)); err != nil {
		return 0, fmt.Errorf("copy filters: %w", err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE filters ADD COLUMN pop_id bigint`); err != nil {
		return 0, fmt.Errorf("filters pop_id: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO filters (user_id, name, enabled, conditions, pop_id)
		SELECT user_id, name, enabled, conditions, pop_id FROM pop_filter`); err != nil {
		return 0, fmt.Errorf("insert filters: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO filter_destinations (filter_id, destination_id)
		SELECT f.id, unnest(p.dests) FROM filters f JOIN pop_filter p ON p.pop_id = f.pop_id`); err != nil {
		return 0, fmt.Errorf("insert filter destinations: %w", err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE filters DROP COLUMN pop_id`); err != nil {
		return 0, fmt.Errorf("filters pop_id: %w", err)
	}
	return len(rows), nil
}

func copyOwnership(ctx context.Context, tx pgx.Tx, p *population.Population) (int, int, error) {
	seen := map[[4]string]bool{}
	var rows [][]any
	for _, o := range p.Snapshot.Ownership {
		kind, owner := prefs.OwnerUser, o.User
		if o.Group != "" {
			kind, owner = prefs.OwnerGroup, o.Group
		}
		k := [4]string{string(o.Artifact.Type), o.Artifact.Name, kind, owner}
		if seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, []any{k[0], k[1], k[2], k[3]})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"artifact_owners"}, []string{"artifact_type", "artifact_name", "owner_kind", "owner"}, pgx.CopyFromRows(rows)); err != nil {
		return 0, 0, fmt.Errorf("copy ownership: %w", err)
	}
	mseen := map[[2]string]bool{}
	var mrows [][]any
	for _, m := range p.Snapshot.Memberships {
		k := [2]string{m.Group, m.User}
		if mseen[k] {
			continue
		}
		mseen[k] = true
		mrows = append(mrows, []any{m.Group, m.User})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"group_members"}, []string{"group_name", "user_name"}, pgx.CopyFromRows(mrows)); err != nil {
		return 0, 0, fmt.Errorf("copy memberships: %w", err)
	}
	return len(rows), len(mrows), nil
}
