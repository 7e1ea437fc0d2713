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

// cond is a condition compiled for evaluation. Which fields are set depends on fid.
type cond struct {
	fid    fieldID
	negate bool
	// me is set when a user or agent condition listed Me; binding puts the owner in ids.
	me bool
	// sevMask has bit i set for severityLevels()[i] (severity conditions).
	sevMask uint8
	// artType restricts artifact and owned conditions to one artifact type when not empty.
	artType message.ArtifactType
	// ids holds the values of app, group, user, agent and artifact conditions as symbol ids
	// (with Me resolved), for evaluation and indexing.
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

// cfilter is a filter compiled and bound to its owner.
type cfilter struct {
	id    int64
	user  string
	dests []int64
	conds []cond
	// skip is the index of a condition known to hold for every candidate, because the filter is
	// indexed under it and the index lookup is exact; -1 when there is none.
	skip int
}

// condCost orders conditions so cheap ones are checked first and the body, which may need
// parsing, last.
func condCost(c *cond) int {
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

// bindFilter validates f and compiles it for its owner, with @me and @mygroups resolved.
func bindFilter(f *Filter, own *ownerIndex, cc *compileCache) (*cfilter, error) {
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
	slices.SortStableFunc(conds, func(a, b cond) int { return condCost(&a) - condCost(&b) })
	dests := f.Destinations
	if !isSortedUnique(dests) {
		dests = slices.Clone(dests)
		slices.Sort(dests)
		dests = slices.Compact(dests)
	}
	return &cfilter{id: f.ID, user: f.User, dests: dests, conds: conds, skip: -1}, nil
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
	x.users, x.groups, x.arts = x.users[:0], x.groups[:0], x.arts[:0]
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
func (f *cfilter) matches(x *msgCtx) bool {
	for i := range f.conds {
		c := &f.conds[i]
		if i == f.skip {
			continue
		}
		if c.holds(x) == c.negate {
			return false
		}
	}
	return true
}

// holds evaluates the condition's test, before negation.
func (c *cond) holds(x *msgCtx) bool {
	m := x.m
	switch c.fid {
	case fTopic:
		if c.topic.exact.has(m.Topic) {
			return true
		}
		for _, g := range c.topic.globs {
			if g.match(m.Topic) {
				return true
			}
		}
		return false
	case fApp:
		return x.app != 0 && c.ids.has(x.app)
	case fSeverity:
		return c.sevMask&severityBit(m.Severity) != 0
	case fUser:
		for _, u := range x.users {
			if u != 0 && c.ids.has(u) {
				return true
			}
		}
		return false
	case fAgent:
		return x.agent != 0 && c.ids.has(x.agent)
	case fGroup:
		for _, g := range x.groups {
			if g != 0 && c.ids.has(g) {
				return true
			}
		}
		return false
	case fArtifact:
		for i, a := range m.Artifacts {
			if (c.artType == "" || a.Type == c.artType) && x.arts[i] != 0 && c.ids.has(x.arts[i]) {
				return true
			}
		}
		return false
	case fOwned:
		artOwners := x.owners()
		for i, a := range m.Artifacts {
			if c.artType != "" && a.Type != c.artType {
				continue
			}
			o := artOwners[i]
			if o == nil {
				continue
			}
			for _, u := range o.users {
				if c.owned.userIDs.has(u) {
					return true
				}
			}
			for _, g := range o.groups {
				if c.owned.groupIDs.has(g) {
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
		s, ok := scalarAt(root, c.body.path)
		if !ok {
			return false
		}
		if c.body.re != nil {
			return c.body.re.MatchString(s)
		}
		return c.body.set.has(s)
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
