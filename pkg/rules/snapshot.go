package rules

import (
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
	// names maps symbol ids back to names (names[0] is "").
	names []string
}

// intern returns the symbol id of s, adding it if new.
func (x *ownerIndex) intern(s string) uint32 {
	if s == "" {
		return 0
	}
	if id, ok := x.syms[s]; ok {
		return id
	}
	id := uint32(len(x.names))
	x.syms[s] = id
	x.names = append(x.names, s)
	return id
}

// lookup returns the symbol id of s, or 0 when no condition or ownership row mentions it.
func (x *ownerIndex) lookup(s string) uint32 {
	if s == "" {
		return 0
	}
	return x.syms[s]
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

// ownedArtifacts calls fn for every artifact owned by one of the bound owners of an owned
// condition (possibly more than once for the same artifact).
func (x *ownerIndex) ownedArtifacts(o *ownedCond, fn func(message.Artifact)) {
	for _, u := range o.userNames {
		for _, a := range x.byUser[u] {
			fn(a)
		}
	}
	for _, g := range o.groupNames {
		for _, a := range x.byGroup[g] {
			fn(a)
		}
	}
}
