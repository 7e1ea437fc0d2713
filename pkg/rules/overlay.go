package rules

import (
	"cmp"
	"fmt"
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
	// users holds every patched user's current filters (empty for a user who now has none).
	users map[string][]Filter
	// masked holds the base symbol ids of the patched users the base knows: their filters in the
	// base are skipped. A user the base does not know has no filters there.
	masked map[uint32]struct{}
	// invalid lists the patched users' filters that do not validate.
	invalid []InvalidFilter
}

// WithUsers returns a new Matcher that matches exactly as Compile would on the base snapshot with
// the filters of every user in replaced swapped for the given ones (an empty or nil slice: the
// user now has no filters). The receiver is unchanged and stays valid (it may be in use by other
// goroutines). Ownership and memberships are those of the receiver: owned and @mygroups
// conditions in the new filters expand through them.
//
// Every filter in replaced[u] must have User u. Invalid filters are skipped and listed by Invalid,
// as with Compile. As with a Snapshot, the new Matcher keeps references to the filters, which must
// not be modified afterwards.
//
// The receiver's compiled base is shared, not copied: the new Matcher holds the base plus a small
// overlay compiled from the current filters of every user patched so far (on the receiver and in
// replaced). The cost is that of compiling those users' filters, whatever the size of the base.
// As the overlay grows (see OverlayUsers), patching and matching get slower: compile a new
// snapshot in the background when it passes a few thousand users.
//
// Matching with an overlay looks the message up in both the base and the overlay indexes and
// skips the base filters of patched users. A message that matches nothing still allocates
// nothing.
func (c *Matcher) WithUsers(replaced map[string][]Filter) (*Matcher, error) {
	for u, fs := range replaced {
		for i := range fs {
			if fs[i].User != u {
				return nil, fmt.Errorf("patch filters of %q: filter %d belongs to %q", u, fs[i].ID, fs[i].User)
			}
		}
	}
	var prev map[string][]Filter
	if c.ov != nil {
		prev = c.ov.users
	}
	users := make(map[string][]Filter, len(prev)+len(replaced))
	n := 0
	for u, fs := range prev {
		if _, ok := replaced[u]; !ok {
			users[u] = fs
			n += len(fs)
		}
	}
	for u, fs := range replaced {
		users[u] = fs
		n += len(fs)
	}
	if n > math.MaxInt32 {
		return nil, ErrTooManyFilters
	}
	all := make([]Filter, 0, n)
	for _, fs := range users {
		all = append(all, fs...)
	}
	own := c.p.own.extend()
	ix, invalid := compileIndex(all, own)
	masked := make(map[uint32]struct{}, len(users))
	for u := range users {
		if id := c.p.own.lookup(u); id != 0 {
			masked[id] = struct{}{}
		}
	}
	ov := &overlay{own: own, ix: ix, users: users, masked: masked, invalid: invalid}
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
	out := make([]InvalidFilter, 0, len(base)+len(o.invalid))
	for _, f := range base {
		if _, ok := o.users[f.User]; !ok {
			out = append(out, f)
		}
	}
	out = append(out, o.invalid...)
	slices.SortStableFunc(out, func(a, b InvalidFilter) int {
		if c := strings.Compare(a.User, b.User); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}
