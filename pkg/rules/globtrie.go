package rules

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
