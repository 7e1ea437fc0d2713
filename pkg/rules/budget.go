package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Budget bounds what one user's filters may cost every message. The preferences store refuses
// writes past it (prefs.Quotas holds the same limits); Compile, WithUsers and Naive hold stored
// filters to it too, so that filters written before a limit existed, or under a laxer one,
// cannot slow matching for everyone: taken in id order, a user's enabled filters that would pass
// it are skipped and listed by Invalid with a *BudgetError. A limit below 1 is no limit.
type Budget struct {
	// Filters is the most enabled filters one user may have.
	Filters int `json:"filters"`
	// Values is the most condition values over one user's enabled filters.
	Values int `json:"values"`
	// LeadingWildcards is the most topic patterns starting with a wildcard (Weight).
	LeadingWildcards int `json:"leading_wildcards"`
	// Unindexed is the most of those with no literal to look them up by, tried against every
	// message (Weight).
	Unindexed int `json:"unindexed"`
	// Regexps is the most regular expressions (Weight).
	Regexps int `json:"regexps"`
}

// Default budget limits: room to spare for Fedora's packagers (≈ 3.5 filters each, 1 % with
// several topic patterns starting with a wildcard, 15 % with one body condition), and a bound on
// what the greediest account adds to every message.
const (
	// DefaultBudgetFilters: ten times what an active packager uses.
	DefaultBudgetFilters = 100
	// DefaultBudgetValues: a long list of followed packages and people, and then some.
	DefaultBudgetValues = 2000
	// DefaultBudgetLeadingWildcards: "*.bodhi.update.comment"-style patterns are rare, and each
	// is tried against the messages whose topic holds the word or characters it requires.
	DefaultBudgetLeadingWildcards = 10
	// DefaultBudgetUnindexed: "*" or "*.*" once or twice; each is tried against every message.
	DefaultBudgetUnindexed = 3
	// DefaultBudgetRegexps: a few title or NVR patterns per packager, ten times over.
	DefaultBudgetRegexps = 20
)

// DefaultBudget returns the budget Compile uses when the snapshot names none.
func DefaultBudget() Budget {
	return Budget{Filters: DefaultBudgetFilters, Values: DefaultBudgetValues,
		LeadingWildcards: DefaultBudgetLeadingWildcards, Unindexed: DefaultBudgetUnindexed,
		Regexps: DefaultBudgetRegexps}
}

// BudgetLimit names one limit of a Budget.
type BudgetLimit string

// The limits of a Budget, as SECURITY.md names them.
const (
	LimitFilters          BudgetLimit = "filters per user"
	LimitValues           BudgetLimit = "condition values per user, over all their filters"
	LimitLeadingWildcards BudgetLimit = "topic patterns starting with a wildcard per user"
	LimitUnindexed        BudgetLimit = "topic patterns starting with a wildcard with no fixed word or 3 fixed characters in a row, per user"
	LimitRegexps          BudgetLimit = "regular expressions per user"
)

// BudgetError says which limit of a Budget a user's filters pass.
type BudgetError struct {
	Limit BudgetLimit
	// Max is the limit's value; Have how many the user's filters have with the one refused.
	Max, Have int
}

// Error implements error: "past the per-user budget: at most 10 … per user (this filter makes 12)".
func (e *BudgetError) Error() string {
	return fmt.Sprintf("past the per-user budget: at most %d %s (this filter makes %d)", e.Max, e.Limit, e.Have)
}

// Check returns a *BudgetError when n filters weighing w together pass b, nil otherwise.
func (b Budget) Check(n int, w Weight) error {
	for _, l := range []struct {
		limit     BudgetLimit
		max, have int
	}{
		{LimitFilters, b.Filters, n},
		{LimitValues, b.Values, w.Values},
		{LimitLeadingWildcards, b.LeadingWildcards, w.LeadingWildcards},
		{LimitUnindexed, b.Unindexed, w.Unindexed},
		{LimitRegexps, b.Regexps, w.Regexps},
	} {
		if l.max > 0 && l.have > l.max {
			return &BudgetError{Limit: l.limit, Max: l.max, Have: l.have}
		}
	}
	return nil
}

// budgetOf returns the budget of s: its own, or DefaultBudget.
func budgetOf(s *Snapshot) Budget {
	if s.Budget != nil {
		return *s.Budget
	}
	return DefaultBudget()
}

// budgetMeter holds one user's filters to a budget, taken in (user, id) order.
type budgetMeter struct {
	b       Budget
	started bool
	user    string
	n       int
	used    Weight
}

// admit returns nil and counts f when f's user's filters admitted so far, with f, stay within
// the budget; otherwise a *BudgetError, and f is not counted.
func (m *budgetMeter) admit(f *Filter) error {
	if !m.started || f.User != m.user {
		m.started, m.user, m.n, m.used = true, f.User, 0, Weight{}
	}
	w := m.used.Add(f.Weight())
	if err := m.b.Check(m.n+1, w); err != nil {
		return err
	}
	m.n, m.used = m.n+1, w
	return nil
}

// userOrder returns the indexes of fs in (user, id) order, filters with the same user and id in
// the order of fs.
func userOrder(fs []Filter) []int32 {
	order := make([]int32, len(fs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		fa, fb := &fs[a], &fs[b]
		if c := strings.Compare(fa.User, fb.User); c != 0 {
			return c
		}
		return cmp.Compare(fa.ID, fb.ID)
	})
	return order
}

// overBudget returns, by index into fs, the enabled filters that pass b, taking fs in order (a
// userOrder of fs), with their *BudgetError; nil when none does.
func (b Budget) overBudget(fs []Filter, order []int32) map[int32]error {
	var over map[int32]error
	m := budgetMeter{b: b}
	for _, i := range order {
		f := &fs[i]
		if !f.Enabled {
			continue
		}
		if err := m.admit(f); err != nil {
			if over == nil {
				over = make(map[int32]error)
			}
			over[i] = err
		}
	}
	return over
}

// OverBudget lists, in (user, id) order, the enabled filters of fs that Compile skips because
// they pass b: for each user, taken in id order, those that would take the user's enabled
// filters past it. The web UI uses it to show which of a user's stored filters do not run.
func (b Budget) OverBudget(fs []Filter) []InvalidFilter {
	order := userOrder(fs)
	over := b.overBudget(fs, order)
	var out []InvalidFilter
	for _, i := range order {
		if err, ok := over[i]; ok {
			out = append(out, invalidFilter(&fs[i], err))
		}
	}
	return out
}
