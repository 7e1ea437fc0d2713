package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// The snapshot queries. USER is replaced by a predicate on the user id: "true" for everyone, or
// one user's id selected by name ($1). Filters, their conditions and their destinations are read
// apart and joined in memory: Postgres unnests the stored JSON into typed columns (so Go does not
// decode JSON), and aggregating in SQL costs more than the join.
const (
	snapshotFilters = `SELECT f.id, f.user_id, f.name, f.one_shot FROM filters f WHERE f.enabled AND f.user_id USER`
	snapshotUsers   = `SELECT id, name FROM users`
	// The columns are rules.Condition's JSON fields.
	snapshotConditions = `SELECT f.id, c.field, coalesce(c.op, ''), coalesce(c."values", '{}'), coalesce(c.negate, false),
			coalesce(c.path, ''), coalesce(c.artifact_type, '')
		FROM filters f, jsonb_to_recordset(f.conditions)
			AS c(field text, op text, "values" text[], negate boolean, path text, artifact_type text)
		WHERE f.enabled AND f.user_id USER AND f.id % $SHARDS = $SHARD`
	snapshotLinks = `SELECT fd.filter_id, fd.destination_id FROM filter_destinations fd
		JOIN filters f ON f.id = fd.filter_id WHERE f.enabled AND f.user_id USER`
	snapshotDestinations = `SELECT ` + destinationColumns + ` FROM destinations WHERE confirmed AND enabled AND user_id USER`
)

// conditionShards splits the conditions, the largest part of a snapshot, across connections, so
// that several Postgres backends unnest them at once.
const conditionShards = 2

// forEveryone and forUser make a snapshot query read everyone's rows or one user's ($1 = name);
// shard picks one of conditionShards parts of the conditions.
func forEveryone(q string, shard int) string {
	return shardOf(strings.Replace(q, "user_id USER", "user_id IS NOT NULL", 1), conditionShards, shard)
}

func forUser(q string) string {
	return shardOf(strings.Replace(q, "user_id USER", "user_id = (SELECT id FROM users WHERE name = $1)", 1), 1, 0)
}

func shardOf(q string, shards, shard int) string {
	return strings.NewReplacer("$SHARDS", strconv.Itoa(shards), "$SHARD", strconv.Itoa(shard)).Replace(q)
}

// snapshotParts collects what the snapshot queries return.
type snapshotParts struct {
	filters []rules.Filter
	owners  []int64                       // the user id of each filter
	names   map[int64]string              // user names by id; nil when reading one user's filters
	conds   [conditionShards]conditionSet // read in parallel, joined by assemble
	links   map[int64][]int64
	dests   []prefs.Destination
	rules   rules.Snapshot // ownership and memberships
}

// The parts of a snapshot: each reads the rows of one query.
func (p *snapshotParts) readFilters(rows pgx.Rows) error {
	var f rules.Filter
	var uid int64
	_, err := pgx.ForEachRow(rows, []any{&f.ID, &uid, &f.Name, &f.OneShot}, func() error {
		f.Enabled = true
		p.filters = append(p.filters, f)
		p.owners = append(p.owners, uid)
		return nil
	})
	if err != nil {
		return fmt.Errorf("filters: %w", err)
	}
	return nil
}

func (p *snapshotParts) readUsers(rows pgx.Rows) error {
	p.names = map[int64]string{}
	var id int64
	var name string
	_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { p.names[id] = name; return nil })
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	return nil
}

// conditionSet holds filters' conditions by filter id.
type conditionSet map[int64][]rules.Condition

func (cs *conditionSet) read(rows pgx.Rows) error {
	*cs = conditionSet{}
	var fid int64
	var c rules.Condition
	var field, op, artifactType string
	_, err := pgx.ForEachRow(rows, []any{&fid, &field, &op, &c.Values, &c.Negate, &c.Path, &artifactType}, func() error {
		nc := c
		nc.Field, nc.Op, nc.ArtifactType = rules.Field(field), rules.Op(op), artifactType
		(*cs)[fid] = append((*cs)[fid], nc)
		c.Values = nil // the next row gets its own slice
		return nil
	})
	if err != nil {
		return fmt.Errorf("filter conditions: %w", err)
	}
	return nil
}

func (p *snapshotParts) readLinks(rows pgx.Rows) error {
	p.links = map[int64][]int64{}
	var fid, did int64
	_, err := pgx.ForEachRow(rows, []any{&fid, &did}, func() error {
		p.links[fid] = append(p.links[fid], did)
		return nil
	})
	if err != nil {
		return fmt.Errorf("filter destinations: %w", err)
	}
	return nil
}

func (p *snapshotParts) readDestinations(rows pgx.Rows) error {
	var err error
	p.dests, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (prefs.Destination, error) { return scanDestination(r) })
	if err != nil {
		return fmt.Errorf("destinations: %w", err)
	}
	return nil
}

// assemble joins the parts into filters; user names the filters of a one-user read.
func (p *snapshotParts) assemble(user string) []rules.Filter {
	for i := range p.filters {
		if p.names != nil {
			p.filters[i].User = p.names[p.owners[i]]
		} else {
			p.filters[i].User = user
		}
		for _, set := range p.conds {
			if cs, ok := set[p.filters[i].ID]; ok {
				p.filters[i].Conditions = cs
				break
			}
		}
		p.filters[i].Destinations = p.links[p.filters[i].ID]
	}
	return p.filters
}

// Snapshot loads everything a worker matches against: one round trip per table, run in parallel
// on several connections that share one exported database snapshot, so the result is consistent
// as if read in a single transaction. Its rules carry the store's filter quotas as their budget
// (prefs.Quotas.Budget).
func (s *Store) Snapshot(ctx context.Context) (*prefs.Snapshot, error) {
	snap := &prefs.Snapshot{Destinations: map[int64]prefs.Destination{}, FilterNames: map[int64]string{}}
	var p snapshotParts
	query := func(sql string, shard int, read func(pgx.Rows) error) func(context.Context, pgx.Tx) error {
		return func(ctx context.Context, tx pgx.Tx) error {
			rows, err := tx.Query(ctx, forEveryone(sql, shard))
			if err != nil {
				return fmt.Errorf("snapshot query: %w", err)
			}
			return read(rows)
		}
	}
	parts := []func(context.Context, pgx.Tx) error{
		query(snapshotLinks, 0, p.readLinks),
		query(snapshotFilters, 0, p.readFilters),
		func(ctx context.Context, tx pgx.Tx) error {
			if err := query(snapshotDestinations, 0, p.readDestinations)(ctx, tx); err != nil {
				return err
			}
			if err := query(snapshotUsers, 0, p.readUsers)(ctx, tx); err != nil {
				return err
			}
			return loadOwnership(ctx, tx, &p.rules)
		},
	}
	for i := range p.conds {
		parts = append(parts, query(snapshotConditions, i, p.conds[i].read))
	}
	err := s.readOnly(ctx, func(lead pgx.Tx) error {
		var id string
		if err := lead.QueryRow(ctx, `SELECT version, pg_export_snapshot() FROM prefs_version`).Scan(&snap.Version, &id); err != nil {
			return fmt.Errorf("version: %w", err)
		}
		errs := make([]error, len(parts))
		var wg sync.WaitGroup
		for i := 1; i < len(parts); i++ {
			wg.Go(func() {
				errs[i] = s.readOnly(ctx, func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quote(id)); err != nil {
						return fmt.Errorf("share snapshot: %w", err)
					}
					return parts[i](ctx, tx)
				})
			})
		}
		errs[0] = parts[0](ctx, lead)
		wg.Wait()
		return errors.Join(errs...)
	})
	if err != nil {
		return nil, fmt.Errorf("load snapshot: %w", err)
	}
	for _, d := range p.dests {
		snap.Destinations[d.ID] = d
	}
	snap.Rules = p.rules
	snap.Rules.Filters = p.assemble("")
	budget := s.quotas.Budget() // the matcher holds stored filters to the quotas writes are held to
	snap.Rules.Budget = &budget
	for _, f := range snap.Rules.Filters {
		snap.FilterNames[f.ID] = f.Name
	}
	return snap, nil
}

// quote makes a string literal of s.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// readOnly runs fn in a read-only, repeatable-read transaction: one consistent view.
func (s *Store) readOnly(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// UserPrefs loads one user's enabled filters and deliverable destinations, and the change version
// they are at least as new as, in one pipelined round trip.
func (s *Store) UserPrefs(ctx context.Context, name string) (prefs.UserPrefs, int64, error) {
	up := prefs.UserPrefs{Name: name}
	var version int64
	var p snapshotParts
	err := s.readOnly(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT v.version, EXISTS (SELECT 1 FROM users WHERE name = $1) FROM prefs_version v`, name).
			QueryRow(func(row pgx.Row) error { return row.Scan(&version, &up.Exists) })
		for _, part := range []struct {
			sql  string
			read func(pgx.Rows) error
		}{
			{snapshotDestinations, p.readDestinations}, {snapshotLinks, p.readLinks},
			{snapshotConditions, p.conds[0].read}, {snapshotFilters, p.readFilters},
		} {
			b.Queue(forUser(part.sql), name).Query(func(rows pgx.Rows) error { return part.read(rows) })
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return prefs.UserPrefs{}, 0, fmt.Errorf("load prefs of %s: %w", name, err)
	}
	up.Destinations = p.dests
	up.Filters = p.assemble(name)
	return up, version, nil
}
