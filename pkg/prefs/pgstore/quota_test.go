package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/pgtest"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// setupQuotas returns a store holding writes to q, on a clock the test moves, with the user alice.
func setupQuotas(t *testing.T, q prefs.Quotas) (*pgstore.Store, *testClock, prefs.User) {
	t.Helper()
	pool := pgtest.Pool(t)
	clock := &testClock{t: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	s := pgstore.New(pool, pgstore.WithDefaultFilters(nil), pgstore.WithClock(clock.now), pgstore.WithQuotas(q))
	u, err := s.CreateUser(context.Background(), "alice", "")
	require.NoError(t, err)
	return s, clock, u
}

// topics is a filter on topic patterns.
func topics(patterns ...string) rules.Filter {
	return rules.Filter{Name: "topics", Enabled: true,
		Conditions: []rules.Condition{{Field: rules.FieldTopic, Values: patterns}}}
}

// requireQuota fails unless err is a *prefs.QuotaError for quota.
func requireQuota(t *testing.T, err error, quota string) *prefs.QuotaError {
	t.Helper()
	var qe *prefs.QuotaError
	require.True(t, errors.As(err, &qe), "want the %q quota, got %v", quota, err)
	require.Equal(t, quota, qe.Quota)
	return qe
}

func TestFilterQuotas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("filters per user", func(t *testing.T) {
		t.Parallel()
		s, _, u := setupQuotas(t, prefs.Quotas{FiltersPerUser: 3})
		var ids []int64
		for i := range 3 {
			f, err := s.CreateFilter(ctx, u, topics(fmt.Sprintf("org.fedoraproject.prod.t%d", i)))
			require.NoError(t, err)
			ids = append(ids, f.ID)
		}
		_, err := s.CreateFilter(ctx, u, topics("org.fedoraproject.prod.t3"))
		requireQuota(t, err, "filters per user")
		// Editing one at the quota does not count it twice.
		f := topics("org.fedoraproject.prod.edited")
		f.ID = ids[0]
		_, err = s.UpdateFilter(ctx, u, f)
		require.NoError(t, err)
		// A deletion frees one.
		require.NoError(t, s.DeleteFilter(ctx, u, ids[1]))
		_, err = s.CreateFilter(ctx, u, topics("org.fedoraproject.prod.t3"))
		require.NoError(t, err)
	})

	t.Run("values per user, over all filters", func(t *testing.T) {
		t.Parallel()
		s, _, u := setupQuotas(t, prefs.Quotas{ValuesPerUser: 5})
		first, err := s.CreateFilter(ctx, u, topics("a.x", "a.y", "a.z"))
		require.NoError(t, err)
		_, err = s.CreateFilter(ctx, u, topics("b.x", "b.y", "b.z"))
		qe := requireQuota(t, err, "condition values per user (over all your filters)")
		require.Equal(t, 5, qe.Limit)
		require.Contains(t, qe.Error(), "would make 6")
		first.Conditions[0].Values = []string{"a.x", "a.y"}
		_, err = s.UpdateFilter(ctx, u, first)
		require.NoError(t, err)
		_, err = s.CreateFilter(ctx, u, topics("b.x", "b.y", "b.z"))
		require.NoError(t, err)
	})

	t.Run("topic patterns starting with a wildcard", func(t *testing.T) {
		t.Parallel()
		s, _, u := setupQuotas(t, prefs.Quotas{LeadingWildcardsPerUser: 2})
		// Two leading wildcards; a pattern with a fixed prefix is not one.
		_, err := s.CreateFilter(ctx, u, topics("*.bodhi.update.comment", "?rg.fedoraproject.*", "org.fedoraproject.*.koji.*"))
		require.NoError(t, err)
		// The same text under "in" is an exact topic, not a pattern.
		in := topics("*.exact")
		in.Conditions[0].Op = rules.OpIn
		_, err = s.CreateFilter(ctx, u, in)
		require.NoError(t, err)
		_, err = s.CreateFilter(ctx, u, topics("[a-z]*.koji.build.state.change"))
		requireQuota(t, err, "topic patterns starting with a wildcard per user")
	})

	t.Run("regular expressions and patterns with nothing to look up", func(t *testing.T) {
		t.Parallel()
		s, _, u := setupQuotas(t, prefs.Quotas{RegexpsPerUser: 2, UnindexedPerUser: 1})
		regexps := func(exprs ...string) rules.Filter {
			f := rules.Filter{Name: "titles", Enabled: true}
			for _, e := range exprs {
				f.Conditions = append(f.Conditions, rules.Condition{Field: rules.FieldBody, Path: "title", Op: rules.OpRegex, Values: []string{e}})
			}
			return f
		}
		_, err := s.CreateFilter(ctx, u, regexps("^kernel-", "rawhide$"))
		require.NoError(t, err)
		_, err = s.CreateFilter(ctx, u, regexps("^glibc-"))
		qe := requireQuota(t, err, "regular expressions per user")
		require.Equal(t, 2, qe.Limit)
		require.Contains(t, qe.Error(), "at most 2 regular expressions per user: this change would make 3")
		// "*.bodhi.*" has a word to look it up by; "*" has none.
		_, err = s.CreateFilter(ctx, u, topics("*.bodhi.*", "*"))
		require.NoError(t, err)
		_, err = s.CreateFilter(ctx, u, topics("*a*"))
		requireQuota(t, err, "topic patterns starting with a wildcard with no fixed word or 3 fixed characters in a row, per user")
	})

	t.Run("the snapshot carries the filter quotas as the matcher's budget", func(t *testing.T) {
		t.Parallel()
		q := prefs.Quotas{FiltersPerUser: 7, RegexpsPerUser: 2}
		s, _, _ := setupQuotas(t, q)
		snap, err := s.Snapshot(ctx)
		require.NoError(t, err)
		require.Equal(t, &rules.Budget{Filters: 7, Regexps: 2}, snap.Rules.Budget)
	})

	t.Run("concurrent writes cannot both take the last place", func(t *testing.T) {
		t.Parallel()
		s, _, u := setupQuotas(t, prefs.Quotas{FiltersPerUser: 5})
		var wg sync.WaitGroup
		errs := make([]error, 12)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.CreateFilter(ctx, u, topics(fmt.Sprintf("org.t%d", i))) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				requireQuota(t, err, "filters per user")
			}
		}
		require.Equal(t, 5, ok)
		fs, err := s.Filters(ctx, u)
		require.NoError(t, err)
		require.Len(t, fs, 5)
	})
}

func TestDestinationQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, u := setupQuotas(t, prefs.Quotas{DestinationsPerUser: 3})
	// The SSE stream is one of the three.
	for i := range 2 {
		_, err := s.CreateDestination(ctx, u, prefs.Destination{Kind: prefs.KindEmail, Address: fmt.Sprintf("a%d@example.org", i)})
		require.NoError(t, err)
	}
	_, err := s.CreateDestination(ctx, u, prefs.Destination{Kind: prefs.KindIRC, Address: "alicenick"})
	requireQuota(t, err, "destinations per user")
}

// Adding and deleting somebody else's address over and over sends it at most the per-address
// quota of confirmations, from one account or several; the per-user quota bounds one account
// over many addresses; both free up as the hour passes.
func TestConfirmationQuotas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, alice := setupQuotas(t, prefs.Quotas{ConfirmationsPerUser: 5, ConfirmationsPerAddress: 3})
	bob, err := s.CreateUser(ctx, "bob", "")
	require.NoError(t, err)

	cycle := func(u prefs.User, kind, address string) error {
		d, err := s.CreateDestination(ctx, u, prefs.Destination{Kind: kind, Address: address})
		require.NoError(t, err)
		defer func() { require.NoError(t, s.DeleteDestination(ctx, u, d.ID)) }()
		_, err = s.BeginConfirmation(ctx, u, d.ID)
		return err
	}
	sent := 0
	for range 20 {
		if err := cycle(alice, prefs.KindEmail, "victim@example.org"); err == nil {
			sent++
		} else {
			qe := requireQuota(t, err, "confirmations per address per hour")
			require.Greater(t, qe.RetryAfter, time.Duration(0))
			require.LessOrEqual(t, qe.RetryAfter, time.Hour)
		}
	}
	require.Equal(t, 3, sent, "20 add/delete cycles send the quota of confirmations")
	// Another account, and another spelling of the same inbox, are the same address.
	requireQuota(t, cycle(bob, prefs.KindEmail, "Victim@Example.org"), "confirmations per address per hour")
	// IRC nicks the same way, apart from email.
	for range 3 {
		require.NoError(t, cycle(bob, prefs.KindIRC, "victim"))
	}
	requireQuota(t, cycle(bob, prefs.KindIRC, "VICTIM"), "confirmations per address per hour")

	// alice has sent 3; two more addresses reach her quota of 5, a third is refused.
	require.NoError(t, cycle(alice, prefs.KindEmail, "a1@example.org"))
	require.NoError(t, cycle(alice, prefs.KindEmail, "a2@example.org"))
	requireQuota(t, cycle(alice, prefs.KindEmail, "a3@example.org"), "confirmations per user per hour")

	clock.advance(time.Hour + time.Second)
	require.NoError(t, cycle(alice, prefs.KindEmail, "victim@example.org"), "an hour later")
}

func TestTokenQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, u := setupQuotas(t, prefs.Quotas{TokensPerUser: 2})
	for i := range 2 {
		_, _, err := s.CreateAPIToken(ctx, u, fmt.Sprintf("script %d", i))
		require.NoError(t, err)
	}
	_, _, err := s.CreateAPIToken(ctx, u, "one too many")
	requireQuota(t, err, "API tokens per user")
}
