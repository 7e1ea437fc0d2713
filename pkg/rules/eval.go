package rules

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"

	"fmn/pkg/message"
)

// fieldID is a Field as a small integer, for compact conditions and fast switches.
type fieldID uint8

// The field ids, one per Field.
const (
	fTopic fieldID = iota + 1
	fApp
	fSeverity
	fUser
	fAgent
	fArtifact
	fOwned
	fGroup
	fBody
)

func fieldIDOf(f Field) fieldID {
	switch f {
	case FieldTopic:
		return fTopic
	case FieldApp:
		return fApp
	case FieldSeverity:
		return fSeverity
	case FieldUser:
		return fUser
	case FieldAgent:
		return fAgent
	case FieldArtifact:
		return fArtifact
	case FieldOwned:
		return fOwned
	case FieldGroup:
		return fGroup
	case FieldBody:
		return fBody
	}
	return 0
}

// pcond is a condition validated and prepared (globs and regexps compiled), then bound to its
// filter's owner. It exists while building a matcher; matching uses the compact cond.
type pcond struct {
	fid    fieldID
	negate bool
	// me is set when a user or agent condition listed Me; binding puts the owner in ids.
	me bool
	// sevMask has bit i set for severityLevels()[i] (severity conditions).
	sevMask uint8
	// artType restricts artifact and owned conditions to one artifact type when not empty.
	artType message.ArtifactType
	// ids holds the values of app, group, user, agent and artifact conditions as symbol ids
	// (with Me resolved); set by binding.
	ids   idSet
	topic *topicCond
	owned *ownedCond
	body  *bodyCond
}

// topicCond holds a topic condition's exact topics and glob patterns.
type topicCond struct {
	exact strSet
	globs []*topicGlob
}

// ownedCond holds an owned condition: before binding, what was written; after, the concrete
// users and groups whose artifacts count.
type ownedCond struct {
	me, myGroups bool
	users        []string
	groups       []string
	// userNames and groupNames are the bound owners, to expand at Compile; userIDs and groupIDs
	// the same as symbols, to evaluate.
	userNames, groupNames []string
	userIDs, groupIDs     idSet
}

// bodyCond holds a body condition.
type bodyCond struct {
	path []pathSeg
	set  strSet
	re   *regexp.Regexp
}

// strSet is a set of strings: a plain list while small (faster than hashing), plus a map when
// large.
type strSet struct {
	list []string
	m    map[string]struct{}
}

// strSetMapMin is the size from which a strSet also builds a map.
const strSetMapMin = 12

func newStrSet(values []string) strSet {
	s := strSet{list: values}
	if len(values) >= strSetMapMin {
		s.m = make(map[string]struct{}, len(values))
		for _, v := range values {
			s.m[v] = struct{}{}
		}
	}
	return s
}

func (s *strSet) has(v string) bool {
	if s.m != nil {
		_, ok := s.m[v]
		return ok
	}
	for _, x := range s.list {
		if x == v {
			return true
		}
	}
	return false
}

// idSet is a sorted set of symbol ids. Id 0 (a name nobody mentions) is never in a set.
type idSet []uint32

// idSetLinearMax is the size up to which has scans rather than bisects.
const idSetLinearMax = 16

func newIDSet(own *ownerIndex, values []string) idSet {
	s := make(idSet, len(values))
	for i, v := range values {
		s[i] = own.intern(v)
	}
	slices.Sort(s)
	return slices.Clip(slices.Compact(s))
}

func (s idSet) has(id uint32) bool {
	if len(s) <= idSetLinearMax {
		for _, x := range s {
			if x == id {
				return true
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(s, id)
	return ok
}

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

// done drops what only building needed. The ownership and membership maps that binding uses
// (ownerIndex.byUser, byGroup, groupsOf) are kept: Matcher.WithUsers binds new filters through
// them.
func (p *program) done() {
	p.extIdx = nil
}

// boundFilter is a filter validated and bound to its owner, before it is stored in a program.
type boundFilter struct {
	id    int64
	user  string
	dests []int64
	// conds are ordered cheapest first.
	conds []pcond
}

// condCost orders conditions so cheap ones are checked first and the body, which may need
// parsing, last.
func condCost(c *pcond) int {
	switch c.fid {
	case fSeverity, fApp, fAgent:
		return 0
	case fUser, fGroup, fArtifact, fTopic:
		return 1
	case fOwned:
		return 2
	default:
		return 3
	}
}

// bindFilter validates f and binds it to its owner: @me and @mygroups resolved, names interned.
func bindFilter(f *Filter, own *ownerIndex, cc *compileCache) (*boundFilter, error) {
	if err := f.validateOwnFields(); err != nil {
		return nil, err
	}
	conds, err := prepareConditions(f.Conditions, cc)
	if err != nil {
		return nil, err
	}
	for i := range conds {
		c := &conds[i]
		switch c.fid {
		// conds[i] is still f.Conditions[i]: they are reordered below.
		case fUser, fAgent:
			names := make([]string, 0, len(f.Conditions[i].Values))
			for _, v := range f.Conditions[i].Values {
				if v == Me {
					v = f.User
				}
				names = append(names, v)
			}
			c.ids = newIDSet(own, names)
		case fApp, fGroup, fArtifact:
			c.ids = newIDSet(own, f.Conditions[i].Values)
		case fOwned:
			o := c.owned
			users := slices.Clone(o.users)
			if o.me {
				users = append(users, f.User)
			}
			groups := slices.Clone(o.groups)
			if o.myGroups {
				groups = append(groups, own.groupsOf[f.User]...)
			}
			slices.Sort(users)
			slices.Sort(groups)
			o.userNames = slices.Compact(users)
			o.groupNames = slices.Compact(groups)
			o.userIDs = newIDSet(own, o.userNames)
			o.groupIDs = newIDSet(own, o.groupNames)
		}
	}
	slices.SortStableFunc(conds, func(a, b pcond) int { return condCost(&a) - condCost(&b) })
	dests := f.Destinations
	if !isSortedUnique(dests) {
		dests = slices.Clone(dests)
		slices.Sort(dests)
		dests = slices.Compact(dests)
	}
	return &boundFilter{id: f.ID, user: f.User, dests: dests, conds: conds}, nil
}

func isSortedUnique(s []int64) bool {
	for i := 1; i < len(s); i++ {
		if s[i] <= s[i-1] {
			return false
		}
	}
	return true
}

// msgCtx is one message being matched: its names as symbol ids, and its lazily parsed body.
type msgCtx struct {
	m   *message.Message
	own *ownerIndex
	// agent and app are the symbol ids of the agent and app; users of the involved users
	// (Usernames and Agent); groups of the groups; arts of each artifact's name.
	agent, app   uint32
	users        []uint32
	groups, arts []uint32
	// artTypes holds the symbol id of each artifact's type.
	artTypes []uint32
	// artOwners holds the owners of each artifact, looked up on first use (ownersDone).
	artOwners  []*owners
	ownersDone bool
	// bodyState is 0 before parsing, 1 when body holds the parsed body, 2 when it did not parse.
	bodyState uint8
	body      any
}

// reset prepares x for m, reusing its buffers; reset(nil, nil) drops the references.
func (x *msgCtx) reset(m *message.Message, own *ownerIndex) {
	x.m, x.own, x.bodyState, x.body = m, own, 0, nil
	x.users, x.groups, x.arts, x.artTypes = x.users[:0], x.groups[:0], x.arts[:0], x.artTypes[:0]
	clear(x.artOwners) // drop references into a matcher that may be gone
	x.artOwners, x.ownersDone = x.artOwners[:0], false
	x.agent, x.app = 0, 0
	if m == nil {
		return
	}
	x.agent = own.lookup(m.Agent)
	x.app = own.lookup(m.App)
	for _, u := range m.Usernames {
		x.users = append(x.users, own.lookup(u))
	}
	x.users = append(x.users, x.agent)
	for _, g := range m.Groups {
		x.groups = append(x.groups, own.lookup(g))
	}
	for _, a := range m.Artifacts {
		x.arts = append(x.arts, own.lookup(a.Name))
		x.artTypes = append(x.artTypes, own.lookup(string(a.Type)))
	}
}

// owners returns the owners of each of the message's artifacts (nil for none), looking them up
// on first use.
func (x *msgCtx) owners() []*owners {
	if !x.ownersDone {
		x.ownersDone = true
		for _, a := range x.m.Artifacts {
			x.artOwners = append(x.artOwners, x.own.byArtifact[a])
		}
	}
	return x.artOwners
}

// parsedBody parses the body on first use; nil, false when it is not valid JSON.
func (x *msgCtx) parsedBody() (any, bool) {
	if x.bodyState == 0 {
		x.bodyState = 2
		dec := json.NewDecoder(bytes.NewReader(x.m.Body))
		dec.UseNumber()
		if err := dec.Decode(&x.body); err == nil {
			x.bodyState = 1
		}
	}
	return x.body, x.bodyState == 1
}

// matches reports whether every condition of f holds for the message.
func (p *program) matches(f *cfilter, x *msgCtx) bool {
	conds := p.conds[f.conds.start : f.conds.start+f.conds.n]
	for i := range conds {
		c := &conds[i]
		if int32(i) == f.skip {
			continue
		}
		if p.holds(c, x) == c.negate {
			return false
		}
	}
	return true
}

// holds evaluates the condition's test, before negation.
func (p *program) holds(c *cond, x *msgCtx) bool {
	m := x.m
	switch c.fid {
	case fTopic:
		t := p.topics[c.ext]
		if t.exact.has(m.Topic) {
			return true
		}
		for _, g := range t.globs {
			if g.match(m.Topic) {
				return true
			}
		}
		return false
	case fApp:
		return x.app != 0 && p.set(c.ids).has(x.app)
	case fSeverity:
		return c.sevMask&severityBit(m.Severity) != 0
	case fUser:
		ids := p.set(c.ids)
		for _, u := range x.users {
			if u != 0 && ids.has(u) {
				return true
			}
		}
		return false
	case fAgent:
		return x.agent != 0 && p.set(c.ids).has(x.agent)
	case fGroup:
		ids := p.set(c.ids)
		for _, g := range x.groups {
			if g != 0 && ids.has(g) {
				return true
			}
		}
		return false
	case fArtifact:
		ids := p.set(c.ids)
		for i, a := range x.arts {
			if (c.artType == 0 || x.artTypes[i] == c.artType) && a != 0 && ids.has(a) {
				return true
			}
		}
		return false
	case fOwned:
		o := &p.owned[c.ext]
		users, groups := p.set(o.users), p.set(o.groups)
		artOwners := x.owners()
		for i, ow := range artOwners {
			if ow == nil || (c.artType != 0 && x.artTypes[i] != c.artType) {
				continue
			}
			for _, u := range ow.users {
				if users.has(u) {
					return true
				}
			}
			for _, g := range ow.groups {
				if groups.has(g) {
					return true
				}
			}
		}
		return false
	case fBody:
		root, ok := x.parsedBody()
		if !ok {
			return false
		}
		b := p.bodies[c.ext]
		s, ok := scalarAt(root, b.path)
		if !ok {
			return false
		}
		if b.re != nil {
			return b.re.MatchString(s)
		}
		return b.set.has(s)
	}
	return false
}

// scalarAt returns the string form of the scalar at path: a string as is, a number as written, a
// boolean as true/false, null as "null". A missing path, or an object or array there, gives false.
func scalarAt(v any, path []pathSeg) (string, bool) {
	for _, s := range path {
		if s.index >= 0 {
			arr, ok := v.([]any)
			if !ok || s.index >= len(arr) {
				return "", false
			}
			v = arr[s.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = obj[s.key]; !ok {
			return "", false
		}
	}
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	case nil:
		return "null", true
	}
	return "", false
}
