package preview_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/population"
	"fmn/internal/population/popdb"
	"fmn/internal/preview"
	"fmn/internal/testkit/pgtest"
	"fmn/pkg/message"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// A preview, built from one user's filter and the ownership the database gives for it, matches
// exactly the messages the full matcher of every user matches for that filter.
func TestPreviewAgreesWithTheWorkersMatcher(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	pop := population.Generate(population.Config{Users: 2000, Seed: 7})
	_, err := popdb.Load(ctx, pool, pop)
	require.NoError(t, err)
	msgs, err := pop.MappedCorpus()
	require.NoError(t, err)
	store := pgstore.New(pool)
	snap, err := store.Snapshot(ctx)
	require.NoError(t, err)
	full, err := rules.Compile(&snap.Rules)
	require.NoError(t, err)
	now := time.Now()

	// Which filters the full matcher says each message matched.
	want := map[int64]map[string]bool{}
	for i := range msgs {
		for _, m := range full.Match(&msgs[i], now) {
			for _, id := range m.Filters {
				if want[id] == nil {
					want[id] = map[string]bool{}
				}
				want[id][msgs[i].ID] = true
			}
		}
	}
	require.NotEmpty(t, want)

	checked, matched := 0, 0
	for _, f := range snap.Rules.Filters {
		if len(want[f.ID]) == 0 && checked%7 != 0 { // every filter that matches, and some that do not
			checked++
			continue
		}
		checked++
		own, err := store.OwnershipFor(ctx, f.User, []rules.Filter{f})
		require.NoError(t, err)
		res, err := preview.Run(f, own, msgs, now)
		require.NoError(t, err)
		require.Equal(t, len(want[f.ID]), res.Matched, "filter %d of %s: %+v", f.ID, f.User, f.Conditions)
		for _, s := range res.Samples {
			require.True(t, want[f.ID][s.ID], "filter %d matched %s, which the worker would not", f.ID, s.ID)
		}
		matched += res.Matched
	}
	require.Positive(t, matched)
	t.Logf("%d filters compared over %d messages, %d matches", checked, len(msgs), matched)
}

func TestExplainSaysWhichConditionsHold(t *testing.T) {
	t.Parallel()
	f := rules.Filter{User: "alice", Name: "x", Conditions: []rules.Condition{
		{Field: rules.FieldUser, Op: rules.OpIn, Values: []string{rules.Me}},
		{Field: rules.FieldAgent, Op: rules.OpIn, Values: []string{rules.Me}, Negate: true},
		{Field: rules.FieldApp, Op: rules.OpIn, Values: []string{"koji"}},
	}}
	msg := message.Message{ID: "m", Topic: "org.fedoraproject.prod.bodhi.update.comment", App: "bodhi", Agent: "bob",
		Usernames: []string{"alice", "bob"}}
	holds, matches, err := preview.Explain(f, rules.Snapshot{}, msg, time.Now())
	require.NoError(t, err)
	require.Equal(t, []bool{true, true, false}, holds)
	require.False(t, matches)

	f.Conditions[2].Values = []string{"bodhi"}
	holds, matches, err = preview.Explain(f, rules.Snapshot{}, msg, time.Now())
	require.NoError(t, err)
	require.Equal(t, []bool{true, true, true}, holds)
	require.True(t, matches)

	_, err = preview.Run(rules.Filter{User: "alice", Name: "bad"}, rules.Snapshot{}, nil, time.Now())
	var ve *rules.ValidationError
	require.ErrorAs(t, err, &ve)
}

// BenchmarkPreview is the matching part of a preview over 20,000 messages.
func BenchmarkPreview(b *testing.B) {
	pop := population.Generate(population.Config{Users: 1000, Seed: 1})
	corpus, err := pop.MappedCorpus()
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]message.Message, 0, 20_000)
	for len(msgs) < 20_000 {
		msgs = append(msgs, corpus...)
	}
	msgs = msgs[:20_000]
	f := pop.Snapshot.Filters[0]
	for b.Loop() {
		if _, err := preview.Run(f, *pop.Snapshot, msgs, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
