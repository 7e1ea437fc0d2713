package rules

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// overlay is the part of a Matcher made by WithUsers that differs from its compiled base: the
// patched users' current filters, compiled on their own, and the mask that hides those users'
// filters in the base.
type overlay struct {
	// own is the base's ownership view with a symbol table layered on the base's (see
	// ownerIndex.extend); the overlay's filters are bound through it.
	own *ownerIndex
	// ix indexes the patched users' current filters.
	ix *index
	// users holds every patched user's current filters (none for a user who now has none).
	users map[string]*userPatch
	// masked holds the base symbol ids of the patched users the base knows: their filters in the
	// base are skipped. A user the base does not know has no filters there.
	masked map[uint32]struct{}
	// freshSyms is the size of own's symbol table when the overlay's filters were last all bound
	// afresh. Later overlays copy the table and bind only the replaced users' filters, so names
	// of replaced filters linger in it; past twice this size, everything is bound afresh.
	freshSyms int
}

// userPatch is one patched user's filters, validated and bound through an overlay's symbol
// table. Bound filters are immutable, so an overlay derived from another reuses those of the
// users it does not replace, with a copy of the symbol table they were bound through.
type userPatch struct {
	filters []Filter
	// bound are the enabled, valid filters, in id order.
	bound []*boundFilter
	// invalid are the enabled filters that do not validate or pass the budget, in id order;
	// overBudget counts the latter.
	invalid    []InvalidFilter
	disabled   int
	overBudget int
}

// bindUser validates and binds one user's filters through own, within budget.
func bindUser(fs []Filter, own *ownerIndex, cc *compileCache, budget Budget) *userPatch {
	up := &userPatch{filters: fs}
	order := userOrder(fs) // all of one user: id order
	over := budget.overBudget(fs, order)
	for _, i := range order {
		f := &fs[i]
		if !f.Enabled {
			up.disabled++
			continue
		}
		if err, ok := over[i]; ok {
			up.invalid = append(up.invalid, invalidFilter(f, err))
			up.overBudget++
			continue
		}
		cf, err := bindFilter(f, own, cc)
		if err != nil {
			up.invalid = append(up.invalid, invalidFilter(f, err))
			continue
		}
		up.bound = append(up.bound, cf)
	}
	return up
}

// freshSymsSlack is added to twice overlay.freshSyms before binding everything afresh, so that
// small overlays are not rebound at every patch.
const freshSymsSlack = 1024

// WithUsers returns a new Matcher that matches exactly as Compile would on the base snapshot with
// the filters of every user in replaced swapped for the given ones (an empty or nil slice: the
// user now has no filters). The receiver is unchanged and stays valid (it may be in use by other
// goroutines, and WithUsers may be called on it concurrently). Ownership and memberships are
// those of the receiver: owned and @mygroups conditions in the new filters are bound through them.
//
// Every filter in replaced[u] must have User u. Invalid filters, and filters past the base's
// budget, are skipped and listed by Invalid, as with Compile. As with a Snapshot, the new Matcher keeps references to the filters, which must
// not be modified afterwards.
//
// The receiver's compiled base is shared, not copied: the new Matcher holds the base plus a small
// overlay of the current filters of every user patched so far (on the receiver and in replaced).
// WithUsers validates and binds only the filters in replaced, then indexes the overlay's filters
// again; its cost grows with the overlay (see OverlayUsers), never with the base. As the overlay
// grows, patching and matching get slower: compile a new snapshot in the background when it
// passes a few thousand users.
//
// Matching with an overlay looks the message up in both the base and the overlay indexes and
// skips the base filters of patched users. A message that matches nothing still allocates
// nothing, except that a call may size its reused per-call state to a larger overlay once.
func (c *Matcher) WithUsers(replaced map[string][]Filter) (*Matcher, error) {
	for u, fs := range replaced {
		for i := range fs {
			if fs[i].User != u {
				return nil, fmt.Errorf("patch filters of %q: filter %d belongs to %q", u, fs[i].ID, fs[i].User)
			}
		}
	}
	prev := c.ov
	afresh := prev == nil || len(prev.own.names) > 2*prev.freshSyms+freshSymsSlack
	var own *ownerIndex
	if afresh {
		own = c.p.own.extend()
	} else {
		own = prev.own.clone()
	}
	cc := newCompileCache()
	users := make(map[string]*userPatch, len(replaced))
	if prev != nil {
		for u, up := range prev.users {
			if _, ok := replaced[u]; ok {
				continue
			}
			if afresh {
				up = bindUser(up.filters, own, cc, c.budget)
			}
			users[u] = up
		}
	}
	for u, fs := range replaced {
		users[u] = bindUser(fs, own, cc, c.budget)
	}

	names := slices.Sorted(maps.Keys(users))
	total, live := 0, 0
	for _, up := range users {
		total += len(up.filters)
		live += len(up.bound)
	}
	if total > math.MaxInt32 {
		return nil, ErrTooManyFilters
	}
	b := newIndexBuilder(own, live)
	st := &b.c.stats
	st.Filters = total
	masked := make(map[uint32]struct{}, len(users))
	for _, u := range names {
		up := users[u]
		st.Disabled += up.disabled
		st.Invalid += len(up.invalid) - up.overBudget
		st.OverBudget += up.overBudget
		for _, cf := range up.bound {
			b.add(cf)
		}
		if id := c.p.own.lookup(u); id != 0 {
			masked[id] = struct{}{}
		}
	}
	ov := &overlay{own: own, ix: b.finish(), users: users, masked: masked}
	if afresh {
		ov.freshSyms = len(own.names)
	} else {
		ov.freshSyms = prev.freshSyms
	}
	return &Matcher{index: c.index, ov: ov, invalid: c.invalid, free: c.free}, nil
}

// OverlayUsers reports how many users are patched on top of the compiled base (0 for a Matcher
// made by Compile), so callers can recompile in the background when it grows (e.g. past a few
// thousand).
func (c *Matcher) OverlayUsers() int {
	if c.ov == nil {
		return 0
	}
	return len(c.ov.users)
}

// OverlayStats describes how the patched users' current filters were indexed (zero for a Matcher
// made by Compile).
func (c *Matcher) OverlayStats() Stats {
	if c.ov == nil {
		return Stats{}
	}
	return c.ov.ix.stats
}

// mergeInvalid lists the base's invalid filters of unpatched users and the overlay's, in (user,
// id) order.
func (o *overlay) mergeInvalid(base []InvalidFilter) []InvalidFilter {
	out := make([]InvalidFilter, 0, len(base))
	for _, f := range base {
		if _, ok := o.users[f.User]; !ok {
			out = append(out, f)
		}
	}
	for _, up := range o.users {
		out = append(out, up.invalid...)
	}
	slices.SortStableFunc(out, func(a, b InvalidFilter) int {
		if c := strings.Compare(a.User, b.User); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}
