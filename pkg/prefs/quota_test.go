package prefs_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// The default filter quotas are the matcher's default budget, so that what the store accepts is
// what the worker matches.
func TestDefaultQuotasAreTheDefaultBudget(t *testing.T) {
	t.Parallel()
	require.Equal(t, rules.DefaultBudget(), prefs.DefaultQuotas().Budget())
}

func TestCheckFilters(t *testing.T) {
	t.Parallel()
	q := prefs.DefaultQuotas()
	for name, tc := range map[string]struct {
		n     int
		w     rules.Weight
		quota string
		limit int
	}{
		// At every limit: allowed.
		"at the limits": {n: 100, w: rules.Weight{Values: 2000, LeadingWildcards: 10, Unindexed: 3, Regexps: 20}},
		"filters":       {n: 101, quota: "filters per user", limit: 100},
		"values":        {n: 1, w: rules.Weight{Values: 2001}, quota: "condition values per user (over all your filters)", limit: 2000},
		"leading":       {n: 1, w: rules.Weight{LeadingWildcards: 11}, quota: "topic patterns starting with a wildcard per user", limit: 10},
		"unindexed": {n: 1, w: rules.Weight{LeadingWildcards: 4, Unindexed: 4},
			quota: "topic patterns starting with a wildcard with no fixed word or 3 fixed characters in a row, per user", limit: 3},
		"regexps": {n: 1, w: rules.Weight{Regexps: 21}, quota: "regular expressions per user", limit: 20},
	} {
		err := q.CheckFilters(tc.n, tc.w)
		if tc.quota == "" {
			require.NoError(t, err, name)
			continue
		}
		var qe *prefs.QuotaError
		require.True(t, errors.As(err, &qe), name)
		require.Equal(t, tc.quota, qe.Quota, name)
		require.Equal(t, tc.limit, qe.Limit, name)
		require.NotEmpty(t, qe.Hint, name)
	}
	// No limit below 1.
	require.NoError(t, prefs.Quotas{}.CheckFilters(1000, rules.Weight{Values: 1 << 20, Regexps: 1 << 10}))
}
