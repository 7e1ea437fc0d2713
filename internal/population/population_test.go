package population

import (
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/rules"
)

func TestGenerateIsDeterministicAndRealistic(t *testing.T) {
	t.Parallel()
	a := Generate(Config{Users: 2000, Seed: 7})
	b := Generate(Config{Users: 2000, Seed: 7})
	require.Equal(t, a, b)
	c := Generate(Config{Users: 2000, Seed: 8})
	require.NotEqual(t, a.Snapshot.Filters, c.Snapshot.Filters)

	filters := float64(len(a.Snapshot.Filters)) / 2000
	conds := float64(a.Conditions) / 2000
	require.InDelta(t, 4, filters, 1, "filters per user")
	require.InDelta(t, 12, conds, 3, "conditions per user")
	for _, f := range a.Snapshot.Filters {
		require.NoError(t, f.Validate(), "filter %d %s", f.ID, f.Name)
	}
	m, err := rules.Compile(a.Snapshot)
	require.NoError(t, err)
	st := m.Stats()
	require.Zero(t, st.Invalid)
	require.Less(t, st.AlwaysCheck, 2000/50)
}

func TestMappedCorpusMatches(t *testing.T) {
	t.Parallel()
	p := Generate(Config{Users: 2000, Seed: 1})
	msgs, err := p.MappedCorpus()
	require.NoError(t, err)
	require.Greater(t, len(msgs), 400)
	m, err := rules.Compile(p.Snapshot)
	require.NoError(t, err)
	matched := 0
	for i := range msgs {
		if len(m.Match(&msgs[i], msgs[i].SentAt)) > 0 {
			matched++
		}
	}
	require.Greater(t, matched, len(msgs)/4, "a good share of messages should match someone")
	// Mapping is deterministic.
	again, err := p.MappedCorpus()
	require.NoError(t, err)
	require.Equal(t, msgs, again)
}
