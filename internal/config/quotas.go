package config

import "fmn/pkg/prefs"

// ReadQuotas reads the per-user quotas (FMN_QUOTA_FILTERS, FMN_QUOTA_VALUES,
// FMN_QUOTA_LEADING_WILDCARDS, FMN_QUOTA_UNINDEXED_PATTERNS, FMN_QUOTA_REGEXPS,
// FMN_QUOTA_DESTINATIONS, FMN_QUOTA_API_TOKENS, FMN_QUOTA_CONFIRMATIONS_PER_USER,
// FMN_QUOTA_CONFIRMATIONS_PER_ADDRESS; defaults prefs.DefaultQuotas, 0 for no limit). The web app
// holds writes to them; the worker holds stored filters to the filter quotas, as the matcher's
// budget, so both must read the same values.
func ReadQuotas(r *Reader) prefs.Quotas {
	d := prefs.DefaultQuotas()
	return prefs.Quotas{
		FiltersPerUser:          r.Int("FMN_QUOTA_FILTERS", d.FiltersPerUser),
		ValuesPerUser:           r.Int("FMN_QUOTA_VALUES", d.ValuesPerUser),
		LeadingWildcardsPerUser: r.Int("FMN_QUOTA_LEADING_WILDCARDS", d.LeadingWildcardsPerUser),
		UnindexedPerUser:        r.Int("FMN_QUOTA_UNINDEXED_PATTERNS", d.UnindexedPerUser),
		RegexpsPerUser:          r.Int("FMN_QUOTA_REGEXPS", d.RegexpsPerUser),
		DestinationsPerUser:     r.Int("FMN_QUOTA_DESTINATIONS", d.DestinationsPerUser),
		TokensPerUser:           r.Int("FMN_QUOTA_API_TOKENS", d.TokensPerUser),
		ConfirmationsPerUser:    r.Int("FMN_QUOTA_CONFIRMATIONS_PER_USER", d.ConfirmationsPerUser),
		ConfirmationsPerAddress: r.Int("FMN_QUOTA_CONFIRMATIONS_PER_ADDRESS", d.ConfirmationsPerAddress),
	}
}
