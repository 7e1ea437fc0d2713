package rules

import (
	"slices"
	"time"

	"fmn/pkg/message"
)

// scratch is the per-call state of Match: candidate dedup by generation stamps, the candidate
// lists and the hits, all reused across calls.
type scratch struct {
	gen uint32
	// base collects the candidates among the base's filters; settled and recent those of an
	// overlay's tiers.
	base, settled, recent candidates
	hits                  []hit
	x                     msgCtx
}

// candidates collects candidate filters once each: stamps[i] == gen when filter i is in list.
// wildSeen[g] == gen when the index's wildcard pattern g was tried (see wildIndex.walk).
type candidates struct {
	stamps   []uint32
	list     []int32
	wildSeen []uint32
}

func (cs *candidates) addAll(l []int32, gen uint32) {
	for _, i := range l {
		if cs.stamps[i] != gen {
			cs.stamps[i] = gen
			cs.list = append(cs.list, i)
		}
	}
}

// Match returns the notifications m gives rise to: one Match per (user, destination) with the
// sorted ids of the matching filters, sorted by user then destination; nil when nothing matches.
// now is accepted for time-based conditions; none uses it yet.
func (c *Matcher) Match(m *message.Message, now time.Time) []Match {
	out, _ := c.MatchWithInfo(m, now)
	return out
}

// MatchWithInfo is Match that also reports how much work the message took.
func (c *Matcher) MatchWithInfo(m *message.Message, now time.Time) ([]Match, MatchInfo) {
	_ = now
	var s *scratch
	select {
	case s = <-c.free:
	default:
		s = &scratch{base: candidates{stamps: make([]uint32, len(c.p.filters))}}
	}
	s.gen++
	if s.gen == 0 { // wrapped: old stamps could collide
		for _, cs := range []*candidates{&s.base, &s.settled, &s.recent} {
			clear(cs.stamps)
			clear(cs.wildSeen)
		}
		s.gen = 1
	}
	s.hits = s.hits[:0]

	// The message's names as symbol ids; a name no filter or ownership row mentions is 0 and is
	// not looked up. With an overlay, the overlay's symbol table resolves names: it gives the
	// base's ids to the names the base knows, so one msgCtx serves both.
	own := c.p.own
	if c.ov != nil {
		own = c.ov.own
	}
	x := &s.x
	x.reset(m, own)
	var info MatchInfo
	sorted := true // hits are grouped by user in increasing user order
	if c.ov == nil {
		c.collect(&s.base, x, s.gen)
		for _, i := range s.base.list {
			if f := &c.p.filters[i]; c.p.matches(f, x) {
				s.hits = c.p.appendHits(s.hits, f)
			}
		}
		info.Candidates = len(s.base.list)
	} else {
		sorted = c.matchOverlay(s, x, &info)
	}
	info.BodyParsed = x.bodyState != 0
	var out []Match
	if sorted {
		out = buildMatchesByUser(s.hits)
	} else {
		out = buildMatches(s.hits)
	}
	x.reset(nil, nil)
	select {
	case c.free <- s:
	default:
	}
	return out, info
}

// matchOverlay appends to s.hits the hits of the base and of each tier of the overlay, skipping
// the filters of users patched in a newer layer, and says whether the hits are still grouped by
// user in increasing order.
func (c *Matcher) matchOverlay(s *scratch, x *msgCtx, info *MatchInfo) bool {
	ov := c.ov
	var settledMask, recentMask map[uint32]struct{}
	if ov.settled != nil {
		settledMask = ov.settled.masked
	}
	if ov.recent != nil {
		recentMask = ov.recent.masked
	}
	runs := 0 // layers with hits: each run is grouped by user, and no user has hits in two
	n := len(s.hits)
	info.Candidates += matchLayer(c.index, &s.base, s, x, settledMask, recentMask)
	if len(s.hits) > n {
		runs++
	}
	if ov.settled != nil {
		n = len(s.hits)
		info.Candidates += matchLayer(ov.settled.ix, &s.settled, s, x, recentMask, nil)
		if len(s.hits) > n {
			runs++
		}
	}
	if ov.recent != nil {
		n = len(s.hits)
		info.Candidates += matchLayer(ov.recent.ix, &s.recent, s, x, nil, nil)
		if len(s.hits) > n {
			runs++
		}
	}
	return runs <= 1
}

// matchLayer collects the candidates of x in ix (cs) and appends the hits of those whose users
// are in neither mask to s.hits; it returns the number of candidates verified.
func matchLayer(ix *index, cs *candidates, s *scratch, x *msgCtx, mask1, mask2 map[uint32]struct{}) int {
	if len(cs.stamps) < len(ix.p.filters) {
		cs.stamps = make([]uint32, len(ix.p.filters))
	}
	ix.collect(cs, x, s.gen)
	// Filters are in (user, id) order, so a user's candidates are adjacent and the masks are
	// looked up once per user.
	lastUser, lastMasked, nMasked := uint32(0), false, 0
	for i, idx := range cs.list {
		f := &ix.p.filters[idx]
		if i == 0 || f.user != lastUser {
			lastUser = f.user
			_, lastMasked = mask1[f.user]
			if !lastMasked {
				_, lastMasked = mask2[f.user]
			}
		}
		if lastMasked {
			nMasked++
			continue
		}
		if ix.p.matches(f, x) {
			s.hits = ix.p.appendHits(s.hits, f)
		}
	}
	return len(cs.list) - nMasked
}

// collect puts the candidate filters for the message x in cs, sorted.
func (c *index) collect(cs *candidates, x *msgCtx, gen uint32) {
	cs.list = cs.list[:0]
	// The wildcard index first: it remembers what it adds to the empty list.
	c.wild.collect(x.m.Topic, cs, gen)
	for _, u := range x.users { // the agent included
		if u != 0 {
			cs.addAll(c.users[u], gen)
		}
	}
	if x.agent != 0 {
		cs.addAll(c.agents[x.agent], gen)
	}
	for _, a := range x.arts {
		if a != 0 {
			cs.addAll(c.artifacts[a], gen)
		}
	}
	c.collectOwned(cs, x, gen)
	for _, g := range x.groups {
		if g != 0 {
			cs.addAll(c.groups[g], gen)
		}
	}
	if x.app != 0 {
		cs.addAll(c.apps[x.app], gen)
	}
	cs.addAll(c.topics[x.m.Topic], gen)
	c.trie.walk(x.m.Topic, cs, gen)
	c.collectBody(cs, x, gen)
	cs.addAll(c.always[severityIndex(x.m.Severity)], gen)
	slices.Sort(cs.list)
}
