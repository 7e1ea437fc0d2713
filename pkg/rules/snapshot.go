package rules

import (
	"maps"
	"slices"

	"fmn/pkg/message"
)

// Ownership says that a user or a group owns (maintains) an artifact. Exactly one of User and
// Group is set; rows with neither or both are ignored (and counted in Stats.BadOwnership).
type Ownership struct {
	Artifact message.Artifact `json:"artifact"`
	User     string           `json:"user,omitempty"`
	Group    string           `json:"group,omitempty"`
}

// Membership says that a user is a member of a group.
type Membership struct {
	Group string `json:"group"`
	User  string `json:"user"`
}

// Snapshot is everything matching needs: every user's filters, artifact ownership and group
// memberships. Matchers built from a snapshot keep references to its strings and slices, so it
// must not be modified afterwards.
type Snapshot struct {
	Filters     []Filter     `json:"filters"`
	Ownership   []Ownership  `json:"ownership"`
	Memberships []Membership `json:"memberships"`
	// Budget is what each user's filters are held to (see Budget); nil for DefaultBudget.
	Budget *Budget `json:"budget,omitempty"`
}

// owners lists who owns one artifact, as symbol ids.
type owners struct {
	users  []uint32
	groups []uint32
}

// ownerIndex is the ownership and membership part of a snapshot, organised for lookups.
type ownerIndex struct {
	byArtifact map[message.Artifact]*owners
	// byUser and byGroup list the artifacts each user and group owns directly.
	byUser  map[string][]message.Artifact
	byGroup map[string][]message.Artifact
	// groupsOf lists, sorted, the groups each user is a member of.
	groupsOf map[string][]string
	// bad counts ignored ownership rows.
	bad int
	// syms numbers every name that conditions and ownership mention (users, groups, apps,
	// artifacts), so conditions compare integers; 0 stands for a name nobody mentions. It is
	// filled while building and only read while matching.
	syms map[string]uint32
	// names maps symbol ids back to names: names[i] is the name of id off+i (in a base index,
	// off is 0 and names[0] is "").
	names []string
	// base, when set, is the index this one extends for an overlay (see extend): it shares the
	// ownership and memberships of base, resolves the names base knows to base's ids, and
	// numbers new names from off = len(base.names) on. base itself is never modified.
	base *ownerIndex
	off  uint32
}

// intern returns the symbol id of s, adding it if new.
func (x *ownerIndex) intern(s string) uint32 {
	if s == "" {
		return 0
	}
	if id := x.lookup(s); id != 0 {
		return id
	}
	id := x.off + uint32(len(x.names))
	x.syms[s] = id
	x.names = append(x.names, s)
	return id
}

// lookup returns the symbol id of s, or 0 when no condition or ownership row mentions it.
func (x *ownerIndex) lookup(s string) uint32 {
	if s == "" {
		return 0
	}
	if x.base != nil {
		if id := x.base.syms[s]; id != 0 {
			return id
		}
	}
	return x.syms[s]
}

// name returns the name of symbol id.
func (x *ownerIndex) name(id uint32) string {
	if id < x.off {
		return x.base.names[id]
	}
	return x.names[id-x.off]
}

// extend returns a view of x for an overlay: the same ownership and memberships, and a symbol
// table layered on x's, so that interning the overlay's names never writes to x, which matchers
// may be reading concurrently. Its cost does not depend on the size of x. x must not itself be
// an extension.
func (x *ownerIndex) extend() *ownerIndex {
	y := *x
	y.base = x
	y.syms = make(map[string]uint32)
	y.names = nil
	y.off = uint32(len(x.names))
	return &y
}

// clone copies an extension's own symbols, so that interning more names in the copy leaves x
// unchanged.
func (x *ownerIndex) clone() *ownerIndex {
	y := *x
	y.syms = maps.Clone(x.syms)
	y.names = slices.Clone(x.names)
	return &y
}

func newOwnerIndex(s *Snapshot) *ownerIndex {
	x := &ownerIndex{
		byArtifact: make(map[message.Artifact]*owners),
		byUser:     make(map[string][]message.Artifact),
		byGroup:    make(map[string][]message.Artifact),
		groupsOf:   make(map[string][]string),
		syms:       make(map[string]uint32),
		names:      []string{""},
	}
	for _, o := range s.Ownership {
		if (o.User == "") == (o.Group == "") || o.Artifact.Name == "" {
			x.bad++
			continue
		}
		ow := x.byArtifact[o.Artifact]
		if ow == nil {
			ow = &owners{}
			x.byArtifact[o.Artifact] = ow
		}
		if o.User != "" {
			ow.users = append(ow.users, x.intern(o.User))
			x.byUser[o.User] = append(x.byUser[o.User], o.Artifact)
		} else {
			ow.groups = append(ow.groups, x.intern(o.Group))
			x.byGroup[o.Group] = append(x.byGroup[o.Group], o.Artifact)
		}
	}
	for _, m := range s.Memberships {
		if m.User == "" || m.Group == "" {
			continue
		}
		x.groupsOf[m.User] = append(x.groupsOf[m.User], m.Group)
	}
	for u, gs := range x.groupsOf {
		slices.Sort(gs)
		x.groupsOf[u] = slices.Compact(gs)
	}
	return x
}

// ownsAny reports whether one of the bound owners of an owned condition owns an artifact (of
// type t, when not empty) directly.
func (x *ownerIndex) ownsAny(o *ownedCond, t message.ArtifactType) bool {
	has := func(arts []message.Artifact) bool {
		return slices.ContainsFunc(arts, func(a message.Artifact) bool { return t == "" || a.Type == t })
	}
	for _, u := range o.userNames {
		if has(x.byUser[u]) {
			return true
		}
	}
	for _, g := range o.groupNames {
		if has(x.byGroup[g]) {
			return true
		}
	}
	return false
}
