package prefs

import (
	"errors"
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
	// over all of one user's filters: the matcher cannot index them by a prefix, so it finds them
	// through a word or three characters in a row they require (FMN_QUOTA_LEADING_WILDCARDS).
	LeadingWildcardsPerUser int `json:"leading_wildcards_per_user"`
	// UnindexedPerUser is the most of those that require no such word or characters ("*",
	// "*.*", "*a*"): the matcher tries each against every message (FMN_QUOTA_UNINDEXED_PATTERNS).
	UnindexedPerUser int `json:"unindexed_patterns_per_user"`
	// RegexpsPerUser is the most regular expressions over all of one user's filters
	// (FMN_QUOTA_REGEXPS).
	RegexpsPerUser int `json:"regexps_per_user"`
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
// room while keeping the worst account's share of every message's matching small. The filter
// quotas are the matcher's default budget (rules.DefaultBudget), which it holds stored filters
// to as well.
const (
	// DefaultFiltersPerUser: ten times what an active packager uses.
	DefaultFiltersPerUser = rules.DefaultBudgetFilters
	// DefaultValuesPerUser: a long list of followed packages and people, and then some.
	DefaultValuesPerUser = rules.DefaultBudgetValues
	// DefaultLeadingWildcardsPerUser: "*.bodhi.update.comment"-style patterns are rare.
	DefaultLeadingWildcardsPerUser = rules.DefaultBudgetLeadingWildcards
	// DefaultUnindexedPerUser: "*" or "*.*" once or twice; each is tried on every message.
	DefaultUnindexedPerUser = rules.DefaultBudgetUnindexed
	// DefaultRegexpsPerUser: a few title or NVR patterns per packager, ten times over.
	DefaultRegexpsPerUser = rules.DefaultBudgetRegexps
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
		UnindexedPerUser:        DefaultUnindexedPerUser,
		RegexpsPerUser:          DefaultRegexpsPerUser,
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

// Budget returns the filter quotas as the matcher's per-user budget.
func (q Quotas) Budget() rules.Budget {
	return rules.Budget{Filters: q.FiltersPerUser, Values: q.ValuesPerUser, LeadingWildcards: q.LeadingWildcardsPerUser,
		Unindexed: q.UnindexedPerUser, Regexps: q.RegexpsPerUser}
}

// CheckFilters returns a *QuotaError when a user's filters after a write, n of them weighing w
// together, would pass q.
func (q Quotas) CheckFilters(n int, w rules.Weight) error {
	var be *rules.BudgetError
	if !errors.As(q.Budget().Check(n, w), &be) {
		return nil
	}
	qe := &QuotaError{Quota: string(be.Limit), Limit: be.Max}
	switch be.Limit {
	case rules.LimitFilters:
		qe.Hint = "delete or merge some first"
	case rules.LimitValues:
		qe.Quota = "condition values per user (over all your filters)"
		qe.Hint = fmt.Sprintf("this change would make %d; follow a group or use “artifacts I own” instead of long lists", be.Have)
	case rules.LimitLeadingWildcards:
		qe.Hint = fmt.Sprintf("this change would make %d; start patterns with their fixed part, such as org.fedoraproject.prod.bodhi.*", be.Have)
	case rules.LimitUnindexed:
		qe.Hint = fmt.Sprintf("this change would make %d; put a whole word between dots in them, such as *.bodhi.*", be.Have)
	case rules.LimitRegexps:
		qe.Hint = fmt.Sprintf("this change would make %d; use “equals” or “is one of” where an exact value will do", be.Have)
	}
	return qe
}
