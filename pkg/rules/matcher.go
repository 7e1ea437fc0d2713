package rules

import (
	"cmp"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"fmn/pkg/message"
)

// Stats describes a compiled Matcher: how its filters were indexed. The web UI warns about
// always-check filters, which cost a verification on every message.
type Stats struct {
	// Filters is the number of filters in the snapshot.
	Filters int `json:"filters"`
	// Disabled filters are skipped.
	Disabled int `json:"disabled"`
	// Invalid filters do not validate and are skipped; Matcher.Invalid lists them.
	Invalid int `json:"invalid"`
	// NoDestinations counts enabled, valid filters that send nowhere and so are skipped.
	NoDestinations int `json:"no_destinations"`
	// Unmatchable counts filters with a positive owned condition whose owners own nothing (of
	// the requested type): they cannot match until ownership changes, and are skipped.
	Unmatchable int `json:"unmatchable"`
	// Indexed counts filters reachable through an index; AlwaysCheck those verified on every
	// message. Indexed + AlwaysCheck is the number of live filters.
	Indexed     int `json:"indexed"`
	AlwaysCheck int `json:"always_check"`
	// ByUser … ByApp count the indexed filters by the field of the condition they are indexed
	// under (ByUser includes agent conditions; ByTopic exact topics, ByTopicGlob topics with a
	// wildcard).
	ByUser      int `json:"by_user"`
	ByArtifact  int `json:"by_artifact"`
	ByOwned     int `json:"by_owned"`
	ByGroup     int `json:"by_group"`
	ByTopic     int `json:"by_topic"`
	ByTopicGlob int `json:"by_topic_glob"`
	ByApp       int `json:"by_app"`
	// Postings is the total number of (key, filter) entries across all indexes, owned
	// expansions included.
	Postings int `json:"postings"`
	// GlobPatterns is the number of distinct topic patterns in the trie; TrieNodes its size.
	GlobPatterns int `json:"glob_patterns"`
	TrieNodes    int `json:"trie_nodes"`
	// BadOwnership counts ignored ownership rows (neither or both of user and group, no name).
	BadOwnership int `json:"bad_ownership"`
}

// MatchInfo describes the work one Match call did.
type MatchInfo struct {
	// Candidates is the number of filters verified (index hits plus the always-check list; with
	// an overlay, those of the base, less the patched users', plus those of the overlay).
	Candidates int
	// BodyParsed says whether the body had to be parsed.
	BodyParsed bool
}

// Matcher is the compiled, indexed form of a snapshot. It is immutable and safe for concurrent
// use; build a new one with Compile when the snapshot changes, or with WithUsers when a few users'
// filters do.
type Matcher struct {
	// index is the compiled base, shared by every Matcher derived from it with WithUsers.
	*index
	// ov holds the users patched on top of the base; nil for none.
	ov *overlay

	invalid []InvalidFilter
	// free holds per-call state for reuse, so matching allocates nothing when nothing matches.
	// A bounded channel rather than a sync.Pool: a pool is emptied by every GC, and a scratch
	// holds a stamp per filter (1.6 MB at 400k filters), too much to reallocate after each GC.
	// Matchers derived with WithUsers share their base's channel.
	free chan *scratch
}

// index is a set of compiled filters and the indexes over them.
type index struct {
	p *program

	// The indexes, keyed by symbol id (see ownerIndex.syms) except for exact topics.
	users     map[uint32][]int32 // user (involved) condition values
	agents    map[uint32][]int32 // agent condition values
	artifacts map[uint32][]int32 // artifact names, from artifact and expanded owned conditions
	groups    map[uint32][]int32
	apps      map[uint32][]int32
	topics    map[string][]int32 // exact topics
	trie      globTrie
	// always lists the always-check filters by message severity level (the index of
	// severityBit): a filter that requires a severity is listed only under the levels it allows.
	always [4][]int32

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
	rankNone
)

// ErrTooManyFilters is returned by Compile for a snapshot beyond what a Matcher can index.
var ErrTooManyFilters = errors.New("too many filters")

// Compile validates and indexes every enabled filter of s. Filters that do not validate are
// skipped and listed by Invalid; Compile fails only when s is nil or too large.
func Compile(s *Snapshot) (*Matcher, error) {
	if s == nil {
		return nil, errors.New("compile rules: nil snapshot")
	}
	if len(s.Filters) > math.MaxInt32 {
		return nil, ErrTooManyFilters
	}
	own := newOwnerIndex(s)
	ix, invalid := compileIndex(s.Filters, own)
	ix.stats.BadOwnership = own.bad
	return &Matcher{index: ix, invalid: invalid, free: make(chan *scratch, 2*runtime.GOMAXPROCS(0))}, nil
}

// compileIndex validates, binds (through own, which interns their names) and indexes the enabled
// filters of fs, and lists those that do not validate. fs must not be longer than MaxInt32.
func compileIndex(fs []Filter, own *ownerIndex) (*index, []InvalidFilter) {
	b := newIndexBuilder(own, len(fs))
	var invalid []InvalidFilter
	b.c.stats.Filters = len(fs)
	cc := newCompileCache()
	// Filters are stored in (user, id) order, so that the matching filters of a message, taken in
	// index order, come out grouped by user and need little sorting.
	order := make([]int32, len(fs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		fa, fb := &fs[a], &fs[b]
		if c := strings.Compare(fa.User, fb.User); c != 0 {
			return c
		}
		return cmp.Compare(fa.ID, fb.ID)
	})
	for _, i := range order {
		f := &fs[i]
		if !f.Enabled {
			b.c.stats.Disabled++
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
	return b.finish(), invalid
}

// indexBuilder builds an index from bound filters, added in (user, id) order.
type indexBuilder struct {
	c    *index
	tb   *trieBuilder
	arts []uint32 // scratch for owned expansions
}

func newIndexBuilder(own *ownerIndex, nFilters int) *indexBuilder {
	return &indexBuilder{
		c: &index{
			p:         newProgram(own, nFilters),
			users:     make(map[uint32][]int32),
			agents:    make(map[uint32][]int32),
			artifacts: make(map[uint32][]int32),
			groups:    make(map[uint32][]int32),
			apps:      make(map[uint32][]int32),
			topics:    make(map[string][]int32),
		},
		tb: newTrieBuilder(),
	}
}

// add stores and indexes a bound filter, unless it sends nowhere or cannot match.
func (b *indexBuilder) add(cf *boundFilter) {
	c := b.c
	if len(cf.dests) == 0 {
		c.stats.NoDestinations++
		return
	}
	best, bestArts, unmatchable := c.chooseIndex(cf, &b.arts)
	if unmatchable {
		c.stats.Unmatchable++
		return
	}
	idx := c.p.emit(cf)
	if best < 0 {
		c.addAlways(cf, idx)
		return
	}
	c.addIndexed(cf, idx, best, bestArts, b.tb)
}

// finish returns the index; b must not be used afterwards.
func (b *indexBuilder) finish() *index {
	c := b.c
	c.p.done()
	c.trie = b.tb.build()
	c.stats.GlobPatterns = len(c.trie.globs)
	c.stats.TrieNodes = len(c.trie.nodes)
	return c
}

// chooseIndex picks the filter's most selective positive condition (-1 for none), expanding
// owned conditions into the artifacts (as symbol ids) they stand for; arts is scratch. A positive
// owned condition whose owners own nothing makes the filter unmatchable.
func (c *index) chooseIndex(cf *boundFilter, arts *[]uint32) (best int, bestArts []uint32, unmatchable bool) {
	best, bestRank, bestKeys := -1, rankNone, 0
	for j := range cf.conds {
		cd := &cf.conds[j]
		if cd.negate {
			continue
		}
		rank, keys := rankNone, 0
		var expanded []uint32
		switch cd.fid {
		case fUser, fAgent:
			rank, keys = rankUser, len(cd.ids)
		case fArtifact:
			rank, keys = rankArtifact, len(cd.ids)
		case fGroup:
			rank, keys = rankGroup, len(cd.ids)
		case fApp:
			rank, keys = rankApp, len(cd.ids)
		case fTopic:
			rank, keys = topicRank(cd.topic), len(cd.topic.exact.list)+len(cd.topic.globs)
		case fOwned:
			a := (*arts)[:0]
			c.p.own.ownedArtifacts(cd.owned, func(art message.Artifact) {
				if cd.artType == "" || art.Type == cd.artType {
					a = append(a, c.p.own.intern(art.Name))
				}
			})
			if len(a) == 0 {
				unmatchable = true
			}
			slices.Sort(a)
			a = slices.Compact(a)
			*arts = a
			expanded = a
			rank, keys = rankOwned, len(a)
		}
		if rank < bestRank || (rank == bestRank && keys < bestKeys) {
			best, bestRank, bestKeys = j, rank, keys
			bestArts = slices.Clone(expanded)
		}
	}
	return best, bestArts, unmatchable
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

// addIndexed posts filter idx under its condition best (bestArts for an owned condition).
func (c *index) addIndexed(f *boundFilter, idx int32, best int, bestArts []uint32, tb *trieBuilder) {
	c.stats.Indexed++
	cd := &f.conds[best]
	// Where the lookup is exact, the condition holds for every candidate found through it.
	switch cd.fid {
	case fUser, fAgent, fGroup, fApp, fTopic:
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
		c.post(c.artifacts, bestArts, idx)
	case fGroup:
		c.stats.ByGroup++
		c.post(c.groups, cd.ids, idx)
	case fApp:
		c.stats.ByApp++
		c.post(c.apps, cd.ids, idx)
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
			tb.add(g, idx)
			c.stats.Postings++
		}
	}
}

// topicRank ranks a topic condition: exact topics are the most selective, then patterns with a
// literal prefix; a pattern starting with a wildcard is tried on every message, so the app
// index is preferred to it.
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

// Stats describes how the filters were indexed. On a Matcher made by WithUsers it describes the
// compiled base (patched users' old filters included); OverlayStats describes the patch.
func (c *Matcher) Stats() Stats { return c.stats }

// Invalid lists the enabled filters that were skipped because they do not validate, in (user,
// id) order. On a Matcher made by WithUsers it lists those of the base's unpatched users and
// those of the replacements, and builds that list on each call.
func (c *Matcher) Invalid() []InvalidFilter {
	if c.ov == nil {
		return c.invalid
	}
	return c.ov.mergeInvalid(c.invalid)
}

// scratch is the per-call state of Match: candidate dedup by generation stamps, the candidate
// lists and the hits, all reused across calls.
type scratch struct {
	gen uint32
	// base collects the candidates among the base's filters, over those of an overlay.
	base, over candidates
	hits       []hit
	x          msgCtx
}

// candidates collects candidate filters once each: stamps[i] == gen when filter i is in list.
type candidates struct {
	stamps []uint32
	list   []int32
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
		clear(s.base.stamps)
		clear(s.over.stamps)
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
	c.collect(&s.base, x, s.gen)
	nMasked := 0
	if c.ov == nil {
		for _, i := range s.base.list {
			if f := &c.p.filters[i]; c.p.matches(f, x) {
				s.hits = c.p.appendHits(s.hits, f)
			}
		}
	} else {
		// Filters are in (user, id) order, so a user's candidates are adjacent and the mask is
		// looked up once per user.
		lastUser, lastMasked := uint32(0), false
		for _, i := range s.base.list {
			f := &c.p.filters[i]
			if f.user != lastUser {
				_, lastMasked = c.ov.masked[f.user]
				lastUser = f.user
			}
			if lastMasked {
				nMasked++
				continue
			}
			if c.p.matches(f, x) {
				s.hits = c.p.appendHits(s.hits, f)
			}
		}
	}
	info := MatchInfo{Candidates: len(s.base.list) - nMasked}
	sorted := true // hits are grouped by user in increasing user order
	if c.ov != nil {
		ix := c.ov.ix
		if len(s.over.stamps) < len(ix.p.filters) {
			s.over.stamps = make([]uint32, len(ix.p.filters))
		}
		n := len(s.hits)
		ix.collect(&s.over, x, s.gen)
		for _, i := range s.over.list {
			if f := &ix.p.filters[i]; ix.p.matches(f, x) {
				s.hits = ix.p.appendHits(s.hits, f)
			}
		}
		info.Candidates += len(s.over.list)
		// Each run is grouped by user, and no user has hits in both (the base's are masked).
		sorted = n == 0 || n == len(s.hits)
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

// collect puts the candidate filters for the message x in cs, sorted.
func (c *index) collect(cs *candidates, x *msgCtx, gen uint32) {
	cs.list = cs.list[:0]
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
	cs.addAll(c.always[severityIndex(x.m.Severity)], gen)
	slices.Sort(cs.list)
}

// globTrie finds the topic patterns whose literal prefix is a prefix of a topic: a byte trie over
// the prefixes, each node listing the patterns whose prefix ends there.
type globTrie struct {
	nodes []trieNode
	globs []globEntry
}

type trieNode struct {
	edges []trieEdge
	globs []int32
}

type trieEdge struct {
	b    byte
	next int32
}

// globEntry is one distinct pattern and the filters indexed under it.
type globEntry struct {
	g       *topicGlob
	filters []int32
}

// walk adds to cs the filters of every pattern that matches topic.
func (t *globTrie) walk(topic string, cs *candidates, gen uint32) {
	if len(t.nodes) == 0 {
		return
	}
	n := &t.nodes[0]
	for i := 0; ; i++ {
		for _, gi := range n.globs {
			e := &t.globs[gi]
			if e.g.match(topic) {
				cs.addAll(e.filters, gen)
			}
		}
		if i == len(topic) {
			return
		}
		next := int32(-1)
		for _, e := range n.edges {
			if e.b == topic[i] {
				next = e.next
				break
			}
		}
		if next < 0 {
			return
		}
		n = &t.nodes[next]
	}
}

// trieBuilder collects patterns while compiling.
type trieBuilder struct {
	t     globTrie
	byPat map[string]int32
}

func newTrieBuilder() *trieBuilder {
	return &trieBuilder{t: globTrie{nodes: []trieNode{{}}}, byPat: make(map[string]int32)}
}

func (b *trieBuilder) add(g *topicGlob, filter int32) {
	gi, ok := b.byPat[g.pattern]
	if !ok {
		gi = int32(len(b.t.globs))
		b.byPat[g.pattern] = gi
		b.t.globs = append(b.t.globs, globEntry{g: g})
		n := int32(0)
		for i := 0; i < len(g.prefix); i++ {
			next := int32(-1)
			for _, e := range b.t.nodes[n].edges {
				if e.b == g.prefix[i] {
					next = e.next
					break
				}
			}
			if next < 0 {
				next = int32(len(b.t.nodes))
				b.t.nodes = append(b.t.nodes, trieNode{})
				b.t.nodes[n].edges = append(b.t.nodes[n].edges, trieEdge{b: g.prefix[i], next: next})
			}
			n = next
		}
		b.t.nodes[n].globs = append(b.t.nodes[n].globs, gi)
	}
	e := &b.t.globs[gi]
	if l := e.filters; len(l) == 0 || l[len(l)-1] != filter {
		e.filters = append(e.filters, filter)
	}
}

func (b *trieBuilder) build() globTrie {
	if len(b.t.globs) == 0 {
		return globTrie{}
	}
	return b.t
}
