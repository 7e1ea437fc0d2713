package rules

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
		return x.bodyHolds(p, c.ext)
	}
	return false
}
