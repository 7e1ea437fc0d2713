package popdb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/population"
	"fmn/internal/population/popdb"
	"fmn/internal/testkit/pgtest"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// A loaded population, read back as a snapshot, matches every mapped corpus message exactly as
// the generated one does.
func TestLoadRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	p := population.Generate(population.Config{Users: 300, Seed: 7})
	st, err := popdb.Load(ctx, pool, p)
	require.NoError(t, err)
	require.Equal(t, 300, st.Users)
	require.Len(t, p.Snapshot.Filters, st.Filters)

	snap, err := pgstore.New(pool).Snapshot(ctx)
	require.NoError(t, err)
	enabled := 0
	for _, f := range p.Snapshot.Filters {
		if f.Enabled {
			enabled++
		}
	}
	require.Len(t, snap.Rules.Filters, enabled, "the snapshot holds the enabled filters")
	want, err := rules.Compile(p.Snapshot)
	require.NoError(t, err)
	got, err := rules.Compile(&snap.Rules)
	require.NoError(t, err)
	msgs, err := p.MappedCorpus()
	require.NoError(t, err)
	users := func(ms []rules.Match) map[string]int {
		out := map[string]int{}
		for _, m := range ms {
			out[m.User] += len(m.Filters)
		}
		return out
	}
	matched := 0
	for i := range msgs {
		w := users(want.Match(&msgs[i], msgs[i].SentAt))
		require.Equal(t, w, users(got.Match(&msgs[i], msgs[i].SentAt)), "message %s", msgs[i].ID)
		matched += len(w)
	}
	require.Positive(t, matched)

	_, err = popdb.Load(ctx, pool, p)
	require.ErrorContains(t, err, "already has")
}
