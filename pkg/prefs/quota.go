package prefs

import (
	"fmt"
	"time"

	"fmn/pkg/rules"
)

// Quotas bound what one account can create or set off, so that no account can slow matching for
// everyone or use fmn to flood somebody else's inbox or nick. A limit below 1 is no limit. The
// store enforces them in the transaction of each write (pgstore.WithQuotas); SECURITY.md lists
// them with their defaults.
type Quotas struct {
	// FiltersPerUser is the most filters one user may have (FMN_QUOTA_FILTERS).
	FiltersPerUser int `json:"filters_per_user"`
	// ValuesPerUser is the most condition values over all of one user's filters: every followed
	// package, user and topic is one (FMN_QUOTA_VALUES).
	ValuesPerUser int `json:"values_per_user"`
	// LeadingWildcardsPerUser is the most topic patterns starting with a wildcard ("*.bodhi.*")
	// over all of one user's filters: the matcher cannot index them by a prefix, so it tries each
	// against every message (FMN_QUOTA_LEADING_WILDCARDS).
	LeadingWildcardsPerUser int `json:"leading_wildcards_per_user"`
	// DestinationsPerUser is the most destinations one user may have, the SSE stream every user
	// has included (FMN_QUOTA_DESTINATIONS).
	DestinationsPerUser int `json:"destinations_per_user"`
	// TokensPerUser is the most API tokens one user may hold (FMN_QUOTA_API_TOKENS).
	TokensPerUser int `json:"api_tokens_per_user"`
	// ConfirmationsPerUser is how many confirmations (links and codes) one user may have sent in
	// any hour (FMN_QUOTA_CONFIRMATIONS_PER_USER).
	ConfirmationsPerUser int `json:"confirmations_per_user_per_hour"`
	// ConfirmationsPerAddress is how many confirmations one address (an inbox, a nick) may be sent
	// in any hour, by all users together (FMN_QUOTA_CONFIRMATIONS_PER_ADDRESS).
	ConfirmationsPerAddress int `json:"confirmations_per_address_per_hour"`
}

// Default quotas. Fedora's FMN gave packagers about ten rules; the limits leave ten times that
// room while keeping the worst account's share of every message's matching small.
const (
	// DefaultFiltersPerUser: ten times what an active packager uses.
	DefaultFiltersPerUser = 100
	// DefaultValuesPerUser: a long list of followed packages and people, and then some.
	DefaultValuesPerUser = 2000
	// DefaultLeadingWildcardsPerUser: "*.bodhi.update.comment"-style patterns are rare; ten cost
	// every message a few microseconds, five thousand cost it milliseconds.
	DefaultLeadingWildcardsPerUser = 10
	// DefaultDestinationsPerUser: a few inboxes and nicks each.
	DefaultDestinationsPerUser = 20
	// DefaultTokensPerUser: one per script or machine, with room to rotate.
	DefaultTokensPerUser = 20
	// DefaultConfirmationsPerUser: enough to retry a few typos, too few to spam with.
	DefaultConfirmationsPerUser = 10
	// DefaultConfirmationsPerAddress: the owner of an address gets at most this many unasked-for
	// confirmations an hour, whoever asks.
	DefaultConfirmationsPerAddress = 3
	// ConfirmationQuotaWindow is the window of the confirmation quotas.
	ConfirmationQuotaWindow = time.Hour
)

// DefaultQuotas returns the default quotas.
func DefaultQuotas() Quotas {
	return Quotas{
		FiltersPerUser:          DefaultFiltersPerUser,
		ValuesPerUser:           DefaultValuesPerUser,
		LeadingWildcardsPerUser: DefaultLeadingWildcardsPerUser,
		DestinationsPerUser:     DefaultDestinationsPerUser,
		TokensPerUser:           DefaultTokensPerUser,
		ConfirmationsPerUser:    DefaultConfirmationsPerUser,
		ConfirmationsPerAddress: DefaultConfirmationsPerAddress,
	}
}

// QuotaError says which quota a write would pass. Its message is written for the user.
type QuotaError struct {
	// Quota names the limit, as SECURITY.md does: "filters per user".
	Quota string
	// Limit is the quota's value.
	Limit int
	// Hint says what to do about it.
	Hint string
	// RetryAfter is how long until the quota allows the write again, for quotas over a time
	// window (confirmations); 0 for the others, which only a deletion frees.
	RetryAfter time.Duration
}

// Error implements error: "limit reached: at most 100 filters per user: delete or merge some first".
func (e *QuotaError) Error() string {
	msg := fmt.Sprintf("limit reached: at most %d %s", e.Limit, e.Quota)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// CheckFilters returns a *QuotaError when a user's filters after a write, n of them weighing w
// together, would pass q.
func (q Quotas) CheckFilters(n int, w rules.Weight) error {
	values, leadingWildcards := w.Values, w.LeadingWildcards
	switch {
	case q.FiltersPerUser > 0 && n > q.FiltersPerUser:
		return &QuotaError{Quota: "filters per user", Limit: q.FiltersPerUser, Hint: "delete or merge some first"}
	case q.ValuesPerUser > 0 && values > q.ValuesPerUser:
		return &QuotaError{Quota: "condition values per user (over all your filters)", Limit: q.ValuesPerUser,
			Hint: fmt.Sprintf("this change would make %d; follow a group or use “artifacts I own” instead of long lists", values)}
	case q.LeadingWildcardsPerUser > 0 && leadingWildcards > q.LeadingWildcardsPerUser:
		return &QuotaError{Quota: "topic patterns starting with a wildcard per user", Limit: q.LeadingWildcardsPerUser,
			Hint: fmt.Sprintf("this change would make %d; start patterns with their fixed part, such as org.fedoraproject.prod.bodhi.*", leadingWildcards)}
	}
	return nil
}
