package rules

// bodyIndex finds the filters indexed under a body condition with op eq or in by the scalar a
// message's body holds at the condition's path: the body is scanned once for the program's
// paths (as verification would), and each scalar found is looked up. A filter is indexed so only
// when it has no better condition (it would otherwise be always-check).
type bodyIndex struct {
	// bySlot holds, for each slot of the program's paths, the filters under each value; nil for
	// a slot no filter is indexed under.
	bySlot []map[string][]int32
	// pending holds the postings while building, until the program's paths have their slots.
	pending []bodyPosting
}

// bodyPosting is a filter to index under a body condition.
type bodyPosting struct {
	ext    uint32
	values []string
	idx    int32
}

// bodyRank ranks a body condition as an index key: eq and in can be looked up, regex cannot.
func bodyRank(cd *pcond) (rank, keys int) {
	if cd.body.re != nil {
		return rankNone, 0
	}
	return rankBody, len(cd.body.set.list)
}

// postBody records that filter idx is indexed under its condition best, a body eq or in.
func (c *index) postBody(idx int32, best int) {
	f := &c.p.filters[idx]
	cd := &c.p.conds[f.conds.start+uint32(best)]
	c.body.pending = append(c.body.pending, bodyPosting{ext: cd.ext, values: c.p.bodies[cd.ext].set.list, idx: idx})
	c.stats.ByBody++
}

// buildBodyIndex indexes the pending postings under the slots of the program's paths (built by
// program.done, which must have run).
func (c *index) buildBodyIndex() {
	postings := c.body.pending
	c.body.pending = nil
	if len(postings) == 0 {
		return
	}
	c.body.bySlot = make([]map[string][]int32, c.p.paths.slots)
	for _, p := range postings {
		slot := c.p.paths.slotOf[p.ext]
		m := c.body.bySlot[slot]
		if m == nil {
			m = make(map[string][]int32)
			c.body.bySlot[slot] = m
		}
		for _, v := range p.values {
			l := m[v]
			if len(l) > 0 && l[len(l)-1] == p.idx {
				continue
			}
			m[v] = append(l, p.idx)
			c.stats.Postings++
		}
	}
}

// collectBody adds the filters indexed under the scalars the message's body holds; it reads the
// body (once) only when some filter is indexed so.
func (c *index) collectBody(cs *candidates, x *msgCtx, gen uint32) {
	if c.body.bySlot == nil {
		return
	}
	x.bodyState = 1
	e := x.extraction(c.p.paths)
	if !e.valid {
		return
	}
	for slot, v := range e.vals {
		if m := c.body.bySlot[slot]; m != nil && v.ok {
			cs.addAll(m[string(v.b)], gen)
		}
	}
}
