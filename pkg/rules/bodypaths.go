package rules

// bodyPaths is the set of body paths a program's conditions read, as a trie over their segments:
// extraction (bodyscan.go) walks a message body once along it, keeping only the scalars at these
// paths. Each distinct path has a slot, where extraction leaves what it found.
type bodyPaths struct {
	root *pathNode
	// slots is the number of distinct paths.
	slots int
	// slotOf maps a program's body condition (its index in program.bodies) to its path's slot.
	slotOf []int32
}

// pathNode is one step in a bodyPaths trie.
type pathNode struct {
	// keys and elems lead on by object key and by array index; nil when no path does.
	keys  map[string]*pathNode
	elems map[int]*pathNode
	// slot is the slot of the path that ends here; -1 when none does.
	slot int32
	// within lists the slots of every path that ends at this node or below it: a duplicate key
	// replaces the whole value, so extraction clears them before reading the value again.
	within []int32
}

// newBodyPaths builds the trie of the paths of bodies; nil when there are none.
func newBodyPaths(bodies []*bodyCond) *bodyPaths {
	if len(bodies) == 0 {
		return nil
	}
	bp := &bodyPaths{root: &pathNode{slot: -1}, slotOf: make([]int32, len(bodies))}
	for i, b := range bodies {
		n := bp.root
		for _, s := range b.path {
			n = n.child(s)
		}
		if n.slot < 0 {
			n.slot = int32(bp.slots)
			bp.slots++
		}
		bp.slotOf[i] = n.slot
	}
	bp.root.collectWithin()
	return bp
}

// child returns the node for segment s below n, adding it when new.
func (n *pathNode) child(s pathSeg) *pathNode {
	if s.index >= 0 {
		if n.elems == nil {
			n.elems = make(map[int]*pathNode)
		}
		c := n.elems[s.index]
		if c == nil {
			c = &pathNode{slot: -1}
			n.elems[s.index] = c
		}
		return c
	}
	if n.keys == nil {
		n.keys = make(map[string]*pathNode)
	}
	c := n.keys[s.key]
	if c == nil {
		c = &pathNode{slot: -1}
		n.keys[s.key] = c
	}
	return c
}

// collectWithin fills within for n and the nodes below it, and returns n's.
func (n *pathNode) collectWithin() []int32 {
	if n.slot >= 0 {
		n.within = append(n.within, n.slot)
	}
	for _, c := range n.keys {
		n.within = append(n.within, c.collectWithin()...)
	}
	for _, c := range n.elems {
		n.within = append(n.within, c.collectWithin()...)
	}
	return n.within
}
