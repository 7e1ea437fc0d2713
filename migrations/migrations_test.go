package migrations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/pgtest"
	"fmn/migrations"
)

func TestUpIsIdempotentAndCheckPasses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	res, err := migrations.Up(ctx, pool)
	require.NoError(t, err)
	require.Empty(t, res, "a migrated database has nothing pending")
	require.NoError(t, migrations.Check(ctx, pool))
}

func TestCheckRefusesAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	_, err := pool.Exec(ctx, "DROP TABLE goose_db_version")
	require.NoError(t, err)
	err = migrations.Check(ctx, pool)
	require.True(t, errors.Is(err, migrations.ErrOutOfDate), "got %v", err)
}
