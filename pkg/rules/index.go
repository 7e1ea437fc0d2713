package rules

// index is a set of compiled filters and the indexes over them.
type index struct {
	p *program

	// The indexes, keyed by symbol id (see ownerIndex.syms) except for exact topics.
	users     map[uint32][]int32 // user (involved) condition values
	agents    map[uint32][]int32 // agent condition values
	artifacts map[uint32][]int32 // artifact names, from artifact conditions
	// ownedByUser and ownedByGroup hold the filters indexed under an owned condition, once per
	// owner of the condition (a user; a group, each group of the filter's owner for @mygroups)
	// and required artifact type, keyed by ownedKey. Users and groups are kept apart: a user and
	// a group of the same name share a symbol id. A message finds the filters through its
	// artifacts' owners, so a group's artifacts are never expanded per member.
	ownedByUser, ownedByGroup map[uint64][]int32
	groups                    map[uint32][]int32
	apps                      map[uint32][]int32
	topics                    map[string][]int32 // exact topics
	trie                      globTrie
	body                      bodyIndex
	// wild holds the topic patterns with no literal prefix, which trie cannot narrow.
	wild wildIndex
	// always lists the always-check filters by message severity level (the index of
	// severityBit): a filter that requires a severity is listed only under the levels it allows.
	always [4][]int32
	// budget is what each user's filters were held to; an overlay holds its users to the
	// budget of its base.
	budget Budget

	stats Stats
}

// Index ranks: a lower rank is a more selective index.
const (
	rankUser = iota
	rankArtifact
	rankOwned
	rankGroup
	rankTopic
	rankTopicGlob
	rankApp
	rankTopicGlobWeak // a topic condition with a pattern that starts with a wildcard
	rankBody          // a body condition with op eq or in (bodyindex.go)
	rankNone
)

// compileIndex validates, binds (through own, which interns their names) and indexes the enabled
// filters of fs within budget, and lists those that do not validate or pass the budget. fs must
// not be longer than MaxInt32.
func compileIndex(fs []Filter, own *ownerIndex, budget Budget) (*index, []InvalidFilter) {
	b := newIndexBuilder(own, len(fs))
	var invalid []InvalidFilter
	b.c.stats.Filters = len(fs)
	cc := newCompileCache()
	// Filters are stored in (user, id) order, so that the matching filters of a message, taken in
	// index order, come out grouped by user and need little sorting.
	order := userOrder(fs)
	over := budget.overBudget(fs, order)
	for _, i := range order {
		f := &fs[i]
		if !f.Enabled {
			b.c.stats.Disabled++
			continue
		}
		if err, ok := over[i]; ok {
			invalid = append(invalid, invalidFilter(f, err))
			b.c.stats.OverBudget++
			continue
		}
		cf, err := bindFilter(f, own, cc)
		if err != nil {
			invalid = append(invalid, invalidFilter(f, err))
			b.c.stats.Invalid++
			continue
		}
		b.add(cf)
	}
	b.c.budget = budget
	return b.finish(), invalid
}

// indexBuilder builds an index from bound filters, added in (user, id) order.
type indexBuilder struct {
	c  *index
	tb *trieBuilder
	wb *wildBuilder
}

func newIndexBuilder(own *ownerIndex, nFilters int) *indexBuilder {
	return &indexBuilder{
		c: &index{
			p:            newProgram(own, nFilters),
			users:        make(map[uint32][]int32),
			agents:       make(map[uint32][]int32),
			artifacts:    make(map[uint32][]int32),
			ownedByUser:  make(map[uint64][]int32),
			ownedByGroup: make(map[uint64][]int32),
			groups:       make(map[uint32][]int32),
			apps:         make(map[uint32][]int32),
			topics:       make(map[string][]int32),
		},
		tb: newTrieBuilder(),
		wb: newWildBuilder(),
	}
}

// add stores and indexes a bound filter, unless it sends nowhere or cannot match.
func (b *indexBuilder) add(cf *boundFilter) {
	c := b.c
	if len(cf.dests) == 0 {
		c.stats.NoDestinations++
		return
	}
	best, unmatchable := c.chooseIndex(cf)
	if unmatchable {
		c.stats.Unmatchable++
		return
	}
	idx := c.p.emit(cf)
	if best < 0 {
		c.addAlways(cf, idx)
		return
	}
	c.addIndexed(cf, idx, best, b)
}

// finish returns the index; b must not be used afterwards.
func (b *indexBuilder) finish() *index {
	c := b.c
	c.p.done()
	c.buildBodyIndex()
	c.trie = b.tb.build()
	c.stats.GlobPatterns = len(c.trie.globs)
	c.stats.TrieNodes = len(c.trie.nodes)
	c.wild = b.wb.build()
	c.stats.WildcardPatterns = len(c.wild.globs)
	c.stats.ScannedPatterns = len(c.wild.scan)
	return c
}

// chooseIndex picks the filter's most selective positive condition (-1 for none). A positive
// owned condition whose owners own nothing (of its type) makes the filter unmatchable.
func (c *index) chooseIndex(cf *boundFilter) (best int, unmatchable bool) {
	best, bestRank, bestKeys := -1, rankNone, 0
	for j := range cf.conds {
		cd := &cf.conds[j]
		if cd.negate {
			continue
		}
		rank, keys := rankNone, 0
		switch cd.fid {
		case fUser, fAgent:
			rank, keys = rankUser, len(cd.ids)
		case fArtifact:
			rank, keys = rankArtifact, len(cd.ids)
		case fGroup:
			rank, keys = rankGroup, len(cd.ids)
		case fApp:
			rank, keys = rankApp, len(cd.ids)
		case fBody:
			rank, keys = bodyRank(cd)
		case fTopic:
			rank, keys = topicRank(cd.topic), len(cd.topic.exact.list)+len(cd.topic.globs)
		case fOwned:
			if !c.p.own.ownsAny(cd.owned, cd.artType) {
				unmatchable = true
			}
			rank, keys = rankOwned, len(cd.owned.userIDs)+len(cd.owned.groupIDs)
		}
		if rank < bestRank || (rank == bestRank && keys < bestKeys) {
			best, bestRank, bestKeys = j, rank, keys
		}
	}
	return best, unmatchable
}

// addAlways puts filter idx in the always-check lists of the severity levels it allows.
func (c *index) addAlways(f *boundFilter, idx int32) {
	mask := uint8(0xF)
	for j := range f.conds {
		if cd := &f.conds[j]; cd.fid == fSeverity {
			if cd.negate {
				mask &^= cd.sevMask
			} else {
				mask &= cd.sevMask
			}
		}
	}
	for b := range c.always {
		if mask&(1<<b) != 0 {
			c.always[b] = append(c.always[b], idx)
		}
	}
	c.stats.AlwaysCheck++
}

// addIndexed posts filter idx under its condition best.
func (c *index) addIndexed(f *boundFilter, idx int32, best int, b *indexBuilder) {
	c.stats.Indexed++
	cd := &f.conds[best]
	// Where the lookup is exact, the condition holds for every candidate found through it.
	switch cd.fid {
	case fUser, fAgent, fGroup, fApp, fTopic, fBody, fOwned:
		c.p.filters[idx].skip = int32(best)
	case fArtifact:
		if cd.artType == "" {
			c.p.filters[idx].skip = int32(best)
		}
	}
	switch cd.fid {
	case fUser:
		c.stats.ByUser++
		c.post(c.users, cd.ids, idx)
	case fAgent:
		c.stats.ByUser++
		c.post(c.agents, cd.ids, idx)
	case fArtifact:
		c.stats.ByArtifact++
		c.post(c.artifacts, cd.ids, idx)
	case fOwned:
		c.stats.ByOwned++
		c.postOwned(cd, idx)
	case fGroup:
		c.stats.ByGroup++
		c.post(c.groups, cd.ids, idx)
	case fApp:
		c.stats.ByApp++
		c.post(c.apps, cd.ids, idx)
	case fBody:
		c.postBody(idx, best)
	case fTopic:
		if len(cd.topic.globs) == 0 {
			c.stats.ByTopic++
		} else {
			c.stats.ByTopicGlob++
		}
		for _, t := range cd.topic.exact.list {
			if l := c.topics[t]; len(l) == 0 || l[len(l)-1] != idx {
				c.topics[t] = append(l, idx)
				c.stats.Postings++
			}
		}
		for _, g := range cd.topic.globs {
			if g.prefix == "" {
				b.wb.add(g, idx)
			} else {
				b.tb.add(g, idx)
			}
			c.stats.Postings++
		}
	}
}

// topicRank ranks a topic condition: exact topics are the most selective, then patterns with a
// literal prefix; a pattern starting with a wildcard is found only through a word or trigram it
// requires (or tried on every message, when it has none), so the app index is preferred to it.
func topicRank(t *topicCond) int {
	if len(t.globs) == 0 {
		return rankTopic
	}
	for _, g := range t.globs {
		if g.prefix == "" {
			return rankTopicGlobWeak
		}
	}
	return rankTopicGlob
}

// post adds filter idx under every key (once per key).
func (c *index) post(index map[uint32][]int32, keys []uint32, idx int32) {
	for _, k := range keys {
		l := index[k]
		if len(l) > 0 && l[len(l)-1] == idx {
			continue
		}
		index[k] = append(l, idx)
		c.stats.Postings++
	}
}

// ownedKey is the key of the owned indexes for an owner (a user's or a group's symbol id) and an
// artifact type's symbol id (0 for a condition of any type).
func ownedKey(owner, artType uint32) uint64 { return uint64(owner)<<32 | uint64(artType) }

// postOwned adds filter idx to the owned indexes under each owner of its owned condition cd.
func (c *index) postOwned(cd *pcond, idx int32) {
	var typ uint32
	if cd.artType != "" {
		typ = c.p.own.intern(string(cd.artType))
	}
	for _, u := range cd.owned.userIDs {
		c.postKey(c.ownedByUser, ownedKey(u, typ), idx)
	}
	for _, g := range cd.owned.groupIDs {
		c.postKey(c.ownedByGroup, ownedKey(g, typ), idx)
	}
}

func (c *index) postKey(index map[uint64][]int32, k uint64, idx int32) {
	if l := index[k]; len(l) == 0 || l[len(l)-1] != idx {
		index[k] = append(l, idx)
		c.stats.Postings++
	}
}

// collectOwned adds the filters of the owned indexes whose condition holds for x: those posted
// under an owner of one of the message's artifacts, for any type or for that artifact's type.
// The condition holds for every filter found, so it is not checked again.
func (c *index) collectOwned(cs *candidates, x *msgCtx, gen uint32) {
	if len(c.ownedByUser) == 0 && len(c.ownedByGroup) == 0 {
		return
	}
	for i, ow := range x.owners() {
		if ow == nil {
			continue
		}
		typ := x.artTypes[i]
		collectOwners(cs, c.ownedByUser, ow.users, typ, gen)
		collectOwners(cs, c.ownedByGroup, ow.groups, typ, gen)
	}
}

// collectOwners adds the filters posted in index under one of owners, for any artifact type or
// for typ.
func collectOwners(cs *candidates, index map[uint64][]int32, owners []uint32, typ, gen uint32) {
	for _, o := range owners {
		cs.addAll(index[ownedKey(o, 0)], gen)
		if typ != 0 {
			cs.addAll(index[ownedKey(o, typ)], gen)
		}
	}
}
