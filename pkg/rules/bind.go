package rules

import "slices"

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
