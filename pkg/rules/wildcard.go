package rules

import (
	"slices"
	"strings"
	"sync"
)

// wildIndex finds the topic patterns that start with a wildcard, which the glob trie cannot
// narrow by a prefix, through a literal each of them requires (see requiredLiteral): a whole
// dot-separated word of the topic, or else three bytes in a row. A message looks up its topic's
// words and trigrams and verifies only the patterns found; the few patterns with no such literal
// ("*", "*?*", "*a*"), which per-user budgets keep few, are verified against every topic.
type wildIndex struct {
	globs []globEntry
	// runs are the runs of fixed text of each pattern (literalRuns), which a topic must hold in
	// order before the pattern is worth matching.
	runs [][]literalRun
	// words lists, by a word, the patterns that require it as a whole word of the topic.
	words map[string][]int32
	// grams lists, by three bytes packed as gramKey does, the patterns that require them.
	grams map[uint32][]int32
	// gramBits has the bit gramBit(k) set for every key k of grams, so that most of a topic's
	// trigrams cost a bit test rather than a map lookup. Nil when grams is empty.
	gramBits []uint64
	// scan lists the patterns with no literal to look up.
	scan []int32
	// memo remembers, by topic, the filters the patterns above yield; nil when there are none.
	memo *wildMemo
}

// wildMemo remembers what a wildIndex yields for the topics it has seen. Which patterns match
// depends only on the topic, and a bus has a few hundred topics: after the first message of a
// topic, the rest cost one lookup, however many patterns a greedy account holds. It keeps at most
// wildMemoTopics topics (the first seen), so that a stream of distinct topics costs no memory.
type wildMemo struct {
	mu      sync.RWMutex
	filters map[string][]int32
}

// wildMemoTopics bounds a wildMemo: Fedora's bus has under a thousand distinct topics.
const wildMemoTopics = 4096

func (m *wildMemo) get(topic string) ([]int32, bool) {
	m.mu.RLock()
	l, ok := m.filters[topic]
	m.mu.RUnlock()
	return l, ok
}

func (m *wildMemo) put(topic string, filters []int32) {
	m.mu.Lock()
	if len(m.filters) < wildMemoTopics {
		m.filters[strings.Clone(topic)] = slices.Clone(filters)
	}
	m.mu.Unlock()
}

// gramBitsLen is the size of wildIndex.gramBits in words: 2^16 bits, 8 KiB.
const gramBitsLen = 1 << 10

// gramKey packs the first three bytes of s.
func gramKey(s string) uint32 { return uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2]) }

// gramBit hashes a gram key to a bit of wildIndex.gramBits.
func gramBit(k uint32) uint32 { return (k * 0x9E3779B1) >> 16 }

// wildKey is the literal a pattern is indexed under: word when it is not empty, else gram when
// hasGram, else none (the pattern is scanned).
type wildKey struct {
	word    string
	gram    uint32
	hasGram bool
}

// indexable says whether the key narrows the topics a pattern is tried on.
func (k wildKey) indexable() bool { return k.word != "" || k.hasGram }

// requiredLiteral returns a literal that every topic p matches contains: the longest whole word
// (a run of fixed text between two dots, or between a dot and the pattern's end), or else three
// bytes from the longest run of fixed text. It reads p conservatively, so that it never names a
// literal a matching topic could lack: `*`, `?` and a class end a run of fixed text, and a `[`
// with no `]` to close it (which fnmatch takes literally) counts, with everything after it, as
// wildcards. Every other character is literal, as in fnmatch (`\` included).
func requiredLiteral(p string) wildKey {
	var key wildKey
	longestRun := ""
	for _, r := range literalRuns(p) {
		if word := longestWord(r.text, r.start, r.end); len(word) > len(key.word) {
			key.word = word
		}
		if len(r.text) > len(longestRun) {
			longestRun = r.text
		}
	}
	if key.word == "" && len(longestRun) >= 3 {
		key.gram, key.hasGram = gramKey(longestRun[bestGram(longestRun):]), true
	}
	return key
}

// literalRun is a run of fixed text in a pattern; start and end say whether it begins and ends
// the pattern.
type literalRun struct {
	text       string
	start, end bool
}

// literalRuns splits p into its runs of fixed text (see requiredLiteral). Classes are found as
// parseGlob finds them (classEnd).
func literalRuns(p string) []literalRun {
	rs := []rune(p)
	var runs []literalRun
	from := 0
	emit := func(to int, end bool) {
		if to > from {
			runs = append(runs, literalRun{text: string(rs[from:to]), start: from == 0, end: end})
		}
	}
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '*', '?':
			emit(i, false)
			from = i + 1
		case '[':
			emit(i, false)
			end := classEnd(rs, i+1)
			if end < 0 { // a literal '[' as fnmatch reads it; counted as wildcards here
				return runs
			}
			i, from = end, end+1
		}
	}
	emit(len(rs), true)
	return runs
}

// longestWord returns the longest whole word in a run of fixed text: a piece between two of its
// dots, or at its start (when the run starts the pattern) or end (when it ends the pattern).
func longestWord(run string, startAnchored, endAnchored bool) string {
	best := ""
	pieces := strings.Split(run, ".")
	for i, w := range pieces {
		whole := (i > 0 || startAnchored) && (i < len(pieces)-1 || endAnchored)
		if whole && len(w) > len(best) {
			best = w
		}
	}
	return best
}

// bestGram returns where in run (at least 3 bytes) to take the trigram from: the first place
// without a dot, as dots are in every topic, or else 0.
func bestGram(run string) int {
	for i := 0; i+3 <= len(run); i++ {
		if strings.IndexByte(run[i:i+3], '.') < 0 {
			return i
		}
	}
	return 0
}

// collect adds to cs the filters of every pattern that matches topic. cs must be empty: what
// collect adds is remembered for the topic.
func (w *wildIndex) collect(topic string, cs *candidates, gen uint32) {
	if w.memo == nil {
		return
	}
	if l, ok := w.memo.get(topic); ok {
		cs.addAll(l, gen)
		return
	}
	w.walk(topic, cs, gen)
	w.memo.put(topic, cs.list)
}

// walk adds to cs the filters of every pattern that matches topic.
func (w *wildIndex) walk(topic string, cs *candidates, gen uint32) {
	if len(cs.wildSeen) < len(w.globs) {
		cs.wildSeen = make([]uint32, len(w.globs))
	}
	for _, gi := range w.scan {
		w.try(gi, topic, cs, gen)
	}
	if len(w.words) > 0 {
		for rest, more := topic, true; more; {
			var word string
			word, rest, more = strings.Cut(rest, ".")
			for _, gi := range w.words[word] {
				w.try(gi, topic, cs, gen)
			}
		}
	}
	if w.gramBits != nil {
		for i := 0; i+3 <= len(topic); i++ {
			k := gramKey(topic[i:])
			if b := gramBit(k); w.gramBits[b>>6]&(1<<(b&63)) == 0 {
				continue
			}
			for _, gi := range w.grams[k] {
				w.try(gi, topic, cs, gen)
			}
		}
	}
}

// try verifies pattern gi against topic once per message, adding its filters to cs on a match.
func (w *wildIndex) try(gi int32, topic string, cs *candidates, gen uint32) {
	if cs.wildSeen[gi] == gen {
		return
	}
	cs.wildSeen[gi] = gen
	if e := &w.globs[gi]; holdsRuns(topic, w.runs[gi]) && e.g.match(topic) {
		cs.addAll(e.filters, gen)
	}
}

// holdsRuns says whether topic holds the runs of fixed text of a pattern in order, without
// overlapping, the first at its start and the last at its end when they start and end the
// pattern: what every topic the pattern matches does, and far cheaper to check than the match.
func holdsRuns(topic string, runs []literalRun) bool {
	pos := 0
	for _, r := range runs {
		switch {
		case r.end:
			return len(topic)-len(r.text) >= pos && strings.HasSuffix(topic, r.text) && (!r.start || topic == r.text)
		case r.start:
			if !strings.HasPrefix(topic, r.text) {
				return false
			}
			pos = len(r.text)
		default:
			i := strings.Index(topic[pos:], r.text)
			if i < 0 {
				return false
			}
			pos += i + len(r.text)
		}
	}
	return true
}

// wildBuilder collects the patterns without a literal prefix while compiling.
type wildBuilder struct {
	w     wildIndex
	byPat map[string]int32
}

func newWildBuilder() *wildBuilder {
	return &wildBuilder{byPat: make(map[string]int32)}
}

// add indexes filter under the pattern g, whose literal prefix is empty.
func (b *wildBuilder) add(g *topicGlob, filter int32) {
	gi, ok := b.byPat[g.pattern]
	if !ok {
		gi = int32(len(b.w.globs))
		b.byPat[g.pattern] = gi
		b.w.globs = append(b.w.globs, globEntry{g: g})
		b.w.runs = append(b.w.runs, literalRuns(g.pattern))
		b.post(gi, requiredLiteral(g.pattern))
	}
	e := &b.w.globs[gi]
	if l := e.filters; len(l) == 0 || l[len(l)-1] != filter {
		e.filters = append(e.filters, filter)
	}
}

// post lists pattern gi under key.
func (b *wildBuilder) post(gi int32, key wildKey) {
	w := &b.w
	switch {
	case key.word != "":
		if w.words == nil {
			w.words = make(map[string][]int32)
		}
		w.words[key.word] = append(w.words[key.word], gi)
	case key.hasGram:
		if w.grams == nil {
			w.grams = make(map[uint32][]int32)
			w.gramBits = make([]uint64, gramBitsLen)
		}
		w.grams[key.gram] = append(w.grams[key.gram], gi)
		bit := gramBit(key.gram)
		w.gramBits[bit>>6] |= 1 << (bit & 63)
	default:
		w.scan = append(w.scan, gi)
	}
}

func (b *wildBuilder) build() wildIndex {
	if len(b.w.globs) > 0 {
		b.w.memo = &wildMemo{filters: make(map[string][]int32)}
	}
	return b.w
}
