package synth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive/synth"
	"fmn/internal/corpus"
	"fmn/internal/population"
)

func generator(t *testing.T, n int) *synth.Generator {
	t.Helper()
	recs, err := corpus.LoadDefault()
	if err != nil {
		t.Skipf("corpus: %v", err)
	}
	g, err := synth.New(synth.Config{Seed: 7, N: n, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Span: 14 * 24 * time.Hour,
		Population: population.Generate(population.Config{Users: 2000, Seed: 1})}, recs)
	require.NoError(t, err)
	return g
}

func TestMessagesAreDeterministicAndShaped(t *testing.T) {
	t.Parallel()
	const n = 20000
	g := generator(t, n)
	require.Equal(t, g.Batch(100, 50), generator(t, n).Batch(100, 50), "the same config gives the same messages")
	require.Len(t, g.Batch(n-10, 50), 10, "a batch stops at N")

	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	ids := map[string]bool{}
	apps := map[string]int{}
	users := map[string]int{}
	hours := [24]int{}
	var prev time.Time
	for _, m := range g.Batch(0, n) {
		require.False(t, ids[m.ID], "ids are fresh")
		ids[m.ID] = true
		require.False(t, m.SentAt.Before(prev), "send times grow")
		require.False(t, m.SentAt.Before(start) || !m.SentAt.Before(start.Add(14*24*time.Hour)), "send time in the span")
		prev = m.SentAt
		require.NotContains(t, m.Topic, ".stg.")
		apps[m.App]++
		hours[m.SentAt.Hour()]++
		for _, u := range m.Usernames {
			users[u]++
		}
		for _, p := range m.Packages() {
			require.Regexp(t, `pkg\d{5}$`, p, "packages are the population's")
		}
	}
	require.Greater(t, apps["koji"], n/5, "koji dominates: %v", apps)
	require.Greater(t, apps["copr"], apps["bodhi"])
	require.Greater(t, hours[14], hours[3]*2, "a daily rhythm: %v", hours)
	require.Greater(t, users["user000000"], 20*users["user001999"]+1, "the busiest user is far busier than the quietest")
	require.Greater(t, len(users), 500, "many users appear")
}
