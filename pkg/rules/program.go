package rules

// span locates a run of elements in one of a program's pools.
type span struct{ start, n uint32 }

// cond is a condition in its compact, pointer-free runtime form: the garbage collector need not
// scan the millions of them a large snapshot has.
type cond struct {
	fid     fieldID
	negate  bool
	sevMask uint8
	// artType is the symbol id of the required artifact type; 0 for any.
	artType uint32
	// ids is the condition's value set (sorted symbol ids) in program.ids.
	ids span
	// ext indexes program.topics, program.bodies or program.owned, by fid.
	ext uint32
}

// cfilter is a filter in its compact runtime form.
type cfilter struct {
	id int64
	// user is the owner's symbol id.
	user uint32
	// skip is the index (within conds) of a condition known to hold for every candidate, because
	// the filter is indexed under it and the index lookup is exact; -1 when there is none.
	skip  int32
	dests span
	conds span
}

// ownedIDs is a bound owned condition at runtime: the owners' symbol ids in program.ids.
type ownedIDs struct{ users, groups span }

// program holds compiled filters in compact pools, shared by the naive and the compiled
// matcher. It is filled while building and only read while matching.
type program struct {
	own     *ownerIndex
	filters []cfilter
	conds   []cond
	ids     []uint32
	dests   []int64
	topics  []*topicCond
	bodies  []*bodyCond
	owned   []ownedIDs
	// paths is the trie of the bodies' paths, which the compiled matcher extracts from a body in
	// one pass; built by done.
	paths *bodyPaths
	// extIdx numbers the distinct topic and body conditions while building.
	extIdx map[any]uint32
}

func newProgram(own *ownerIndex, nFilters int) *program {
	return &program{own: own, filters: make([]cfilter, 0, nFilters), extIdx: make(map[any]uint32)}
}

// set returns the value set a span designates.
func (p *program) set(sp span) idSet { return p.ids[sp.start : sp.start+sp.n] }

func (p *program) addIDs(s idSet) span {
	sp := span{start: uint32(len(p.ids)), n: uint32(len(s))}
	p.ids = append(p.ids, s...)
	return sp
}

// emit stores a bound filter and returns its index in p.filters.
func (p *program) emit(b *boundFilter) int32 {
	f := cfilter{
		id:    b.id,
		user:  p.own.intern(b.user),
		skip:  -1,
		dests: span{start: uint32(len(p.dests)), n: uint32(len(b.dests))},
		conds: span{start: uint32(len(p.conds)), n: uint32(len(b.conds))},
	}
	p.dests = append(p.dests, b.dests...)
	for i := range b.conds {
		pc := &b.conds[i]
		c := cond{fid: pc.fid, negate: pc.negate, sevMask: pc.sevMask, ids: p.addIDs(pc.ids)}
		if pc.artType != "" {
			c.artType = p.own.intern(string(pc.artType))
		}
		switch pc.fid {
		case fTopic:
			c.ext = p.extIndex(pc.topic, func() { p.topics = append(p.topics, pc.topic) }, len(p.topics))
		case fBody:
			c.ext = p.extIndex(pc.body, func() { p.bodies = append(p.bodies, pc.body) }, len(p.bodies))
		case fOwned:
			c.ext = uint32(len(p.owned))
			p.owned = append(p.owned, ownedIDs{users: p.addIDs(pc.owned.userIDs), groups: p.addIDs(pc.owned.groupIDs)})
		}
		p.conds = append(p.conds, c)
	}
	p.filters = append(p.filters, f)
	return int32(len(p.filters) - 1)
}

// extIndex returns the index of a shared topic or body condition, adding it when new.
func (p *program) extIndex(key any, add func(), next int) uint32 {
	if i, ok := p.extIdx[key]; ok {
		return i
	}
	p.extIdx[key] = uint32(next)
	add()
	return uint32(next)
}

// done builds the trie of body paths and drops what only building needed. The ownership and
// membership maps that binding uses (ownerIndex.byUser, byGroup, groupsOf) are kept:
// Matcher.WithUsers binds new filters through them.
func (p *program) done() {
	p.paths = newBodyPaths(p.bodies)
	p.extIdx = nil
}
