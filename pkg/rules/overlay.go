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
// patched users' current filters in two tiers, each compiled on its own. settled holds the users
// patched up to the last merge; recent those patched since, over settled. A patch rebuilds only
// recent, which stays small; when recent passes mergeAt users, it is merged into settled. So a
// patch costs what recent holds, not the overlay, except for the one in mergeAt that merges.
type overlay struct {
	// settled and recent are the tiers; either may be nil. recent's symbol table is a copy of
	// settled's with more names, so both tiers' ids are valid through own.
	settled, recent *tier
	// own resolves a message's names for the base and both tiers: the newest tier's table.
	own *ownerIndex
	// users is the number of distinct users in the tiers.
	users int
	// freshSyms is the size of own's symbol table when the overlay's filters were last all bound
	// afresh. Later patches copy the table and bind only the replaced users' filters, so names
	// of replaced filters linger in it; past twice this size, a merge binds everything afresh.
	freshSyms int
	// forceMerge makes the next patch merge the tiers (set by tests only).
	forceMerge bool
}

// tier is one layer of an overlay: some patched users' current filters, indexed.
type tier struct {
	// own is the symbol table the tier's filters were bound through (see ownerIndex.extend).
	own *ownerIndex
	// ix indexes the tier's users' current filters.
	ix *index
	// users holds every user's current filters in the tier (none for a user who now has none).
	users map[string]*userPatch
	// masked holds the symbol ids of the tier's users that the base or an older tier may know:
	// their filters there are skipped. A user with no id has no filters anywhere else.
	masked map[uint32]struct{}
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
// small overlays are not rebound at every merge.
const freshSymsSlack = 1024

// mergeAt is how many users the recent tier of an overlay may hold before it is merged into the
// settled tier: at least minRecent, and more as settled grows, so that the merges, which cost
// what settled holds, stay a small share of the patches' cost.
func mergeAt(settled int) int {
	return max(minRecent, int(math.Sqrt(float64(settled))))
}

// minRecent is the least number of users the recent tier holds before a merge.
const minRecent = 16

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
// The receiver's compiled base is shared, not copied: the new Matcher holds the base plus an
// overlay of the current filters of every user patched so far, in two tiers (see overlay).
// WithUsers validates and binds only the filters in replaced, then indexes the recent tier
// again: its cost grows with that tier (at most about the square root of the overlay's users),
// except at a merge, which indexes the whole overlay again. As the overlay grows, merges and
// matching get slower: compile a new snapshot in the background when it passes a few thousand
// users (see OverlayUsers).
//
// Matching with an overlay looks the message up in the base and in each tier, and skips the
// filters of users patched in a newer layer. A message that matches nothing still allocates
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
	if prev == nil {
		own := c.p.own.extend()
		prev = &overlay{own: own, freshSyms: len(own.names)}
	}
	var settledUsers, recentUsers map[string]*userPatch
	if prev.settled != nil {
		settledUsers = prev.settled.users
	}
	if prev.recent != nil {
		recentUsers = prev.recent.users
	}
	added := 0 // users new to the overlay
	for u := range replaced {
		_, inS := settledUsers[u]
		_, inR := recentUsers[u]
		if !inS && !inR {
			added++
		}
	}
	n := len(recentUsers)
	for u := range replaced {
		if _, ok := recentUsers[u]; !ok {
			n++
		}
	}
	if n > mergeAt(len(settledUsers)) || prev.forceMerge {
		return c.mergeOverlay(prev, replaced, prev.users+added)
	}
	own := prev.own.clone()
	recent, err := c.bindTier(recentUsers, replaced, own)
	if err != nil {
		return nil, err
	}
	ov := &overlay{settled: prev.settled, recent: recent, own: own, users: prev.users + added, freshSyms: prev.freshSyms}
	return c.withOverlay(ov), nil
}

// mergeOverlay returns the Matcher of WithUsers when its recent tier is to be merged: every
// patched user in one settled tier, bound afresh when the symbol table has grown too much.
func (c *Matcher) mergeOverlay(prev *overlay, replaced map[string][]Filter, users int) (*Matcher, error) {
	all := make(map[string]*userPatch, users)
	for _, t := range []*tier{prev.settled, prev.recent} {
		if t != nil {
			maps.Copy(all, t.users)
		}
	}
	afresh := len(prev.own.names) > 2*prev.freshSyms+freshSymsSlack
	var own *ownerIndex
	if afresh {
		own = c.p.own.extend()
		cc := newCompileCache()
		for u, up := range all {
			all[u] = bindUser(up.filters, own, cc, c.budget)
		}
	} else {
		own = prev.own.clone()
	}
	settled, err := c.bindTier(all, replaced, own)
	if err != nil {
		return nil, err
	}
	ov := &overlay{settled: settled, own: own, users: len(settled.users), freshSyms: prev.freshSyms}
	if afresh {
		ov.freshSyms = len(own.names)
	}
	return c.withOverlay(ov), nil
}

func (c *Matcher) withOverlay(ov *overlay) *Matcher {
	return &Matcher{index: c.index, ov: ov, invalid: c.invalid, free: c.free}
}

// bindTier builds a tier of the users in kept, with those in replaced bound afresh through own in
// their place, and indexes it.
func (c *Matcher) bindTier(kept map[string]*userPatch, replaced map[string][]Filter, own *ownerIndex) (*tier, error) {
	cc := newCompileCache()
	users := make(map[string]*userPatch, len(kept)+len(replaced))
	for u, up := range kept {
		if _, ok := replaced[u]; !ok {
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
		if id := own.lookup(u); id != 0 {
			masked[id] = struct{}{}
		}
	}
	return &tier{own: own, ix: b.finish(), users: users, masked: masked}, nil
}

// OverlayUsers reports how many users are patched on top of the compiled base (0 for a Matcher
// made by Compile), so callers can recompile in the background when it grows (e.g. past a few
// thousand).
func (c *Matcher) OverlayUsers() int {
	if c.ov == nil {
		return 0
	}
	return c.ov.users
}

// OverlayStats describes how the patched users' filters were indexed (zero for a Matcher made by
// Compile): the sum over the overlay's tiers, so a user patched again since the last merge counts
// with both their current and their superseded filters until the next.
func (c *Matcher) OverlayStats() Stats {
	if c.ov == nil {
		return Stats{}
	}
	if c.ov.settled == nil {
		return c.ov.recent.ix.stats
	}
	if c.ov.recent == nil {
		return c.ov.settled.ix.stats
	}
	return addStats(c.ov.settled.ix.stats, c.ov.recent.ix.stats)
}

// mergeInvalid lists the base's invalid filters of unpatched users and the overlay's, in (user,
// id) order.
func (o *overlay) mergeInvalid(base []InvalidFilter) []InvalidFilter {
	out := make([]InvalidFilter, 0, len(base))
	for _, f := range base {
		if !o.patched(f.User) {
			out = append(out, f)
		}
	}
	if o.settled != nil {
		for u, up := range o.settled.users {
			if o.recent == nil || o.recent.users[u] == nil {
				out = append(out, up.invalid...)
			}
		}
	}
	if o.recent != nil {
		for _, up := range o.recent.users {
			out = append(out, up.invalid...)
		}
	}
	slices.SortStableFunc(out, func(a, b InvalidFilter) int {
		if c := strings.Compare(a.User, b.User); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// patched says whether user u is in one of the overlay's tiers.
func (o *overlay) patched(u string) bool {
	for _, t := range []*tier{o.settled, o.recent} {
		if t != nil {
			if _, ok := t.users[u]; ok {
				return true
			}
		}
	}
	return false
}

// addStats sums two Stats field by field.
func addStats(a, b Stats) Stats {
	return Stats{
		Filters: a.Filters + b.Filters, Disabled: a.Disabled + b.Disabled, Invalid: a.Invalid + b.Invalid,
		OverBudget: a.OverBudget + b.OverBudget, NoDestinations: a.NoDestinations + b.NoDestinations,
		Unmatchable: a.Unmatchable + b.Unmatchable, Indexed: a.Indexed + b.Indexed,
		AlwaysCheck: a.AlwaysCheck + b.AlwaysCheck, ByUser: a.ByUser + b.ByUser,
		ByArtifact: a.ByArtifact + b.ByArtifact, ByOwned: a.ByOwned + b.ByOwned, ByGroup: a.ByGroup + b.ByGroup,
		ByTopic: a.ByTopic + b.ByTopic, ByTopicGlob: a.ByTopicGlob + b.ByTopicGlob, ByApp: a.ByApp + b.ByApp,
		ByBody: a.ByBody + b.ByBody, Postings: a.Postings + b.Postings, GlobPatterns: a.GlobPatterns + b.GlobPatterns,
		TrieNodes: a.TrieNodes + b.TrieNodes, WildcardPatterns: a.WildcardPatterns + b.WildcardPatterns,
		ScannedPatterns: a.ScannedPatterns + b.ScannedPatterns, BadOwnership: a.BadOwnership + b.BadOwnership,
	}
}
