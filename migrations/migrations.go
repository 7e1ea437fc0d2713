// Package migrations holds fmn's database schema as numbered goose migrations, embedded in the
// binaries, and the functions that apply and check them.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// ErrOutOfDate means the database schema is older (or newer) than this binary expects.
var ErrOutOfDate = errors.New("database schema is not current; run `fmnctl migrate`")

func provider(pool *pgxpool.Pool) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), files,
		goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migration provider: %w", err)
	}
	return p, nil
}

// Result describes one applied migration.
type Result struct {
	Version int64
	Name    string
}

// Up applies every pending migration under a Postgres advisory lock, so replicas that start
// together never race.
func Up(ctx context.Context, pool *pgxpool.Pool) ([]Result, error) {
	p, err := provider(pool)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	out := make([]Result, 0, len(res))
	for _, r := range res {
		out = append(out, Result{Version: r.Source.Version, Name: r.Source.Path})
	}
	return out, nil
}

// Check returns ErrOutOfDate unless the database is at exactly this binary's latest version.
func Check(ctx context.Context, pool *pgxpool.Pool) error {
	p, err := provider(pool)
	if err != nil {
		return err
	}
	defer p.Close()
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current != target {
		return fmt.Errorf("%w (database at %d, binary expects %d)", ErrOutOfDate, current, target)
	}
	return nil
}

// Files returns the embedded migration files (test helpers hash them).
func Files() fs.FS { return files }
