package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/internal/config"
	"fmn/migrations"
)

func migrateCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl migrate

Applies the pending database migrations under an advisory lock and prints each one it applied, or
"schema is current". Uses FMN_DATABASE_URL. It has no flags besides -h.
`)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := migrations.Up(ctx, pool)
	if err != nil {
		return err
	}
	for _, m := range res {
		fmt.Fprintf(stdout, "applied %d %s\n", m.Version, m.Name)
	}
	if len(res) == 0 {
		fmt.Fprintln(stdout, "schema is current")
	}
	return nil
}

// openDB opens FMN_DATABASE_URL without the schema check (migrate is what makes it current).
func openDB(ctx context.Context) (*pgxpool.Pool, error) {
	r := config.NewReader(os.LookupEnv)
	pg := config.ReadPostgres(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, string(pg.URL))
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return pool, nil
}
