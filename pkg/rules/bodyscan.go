package rules

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
)

// maxBodyNesting is encoding/json's limit on nested arrays and objects: a body nested deeper does
// not parse there, so it does not parse here either.
const maxBodyNesting = 10000

// bodyVal is what extraction found at one path: the scalar's string form, when ok. It is a
// slice of the body itself (the text of a number, true, false or null; a string's contents
// between its quotes) unless the string has escapes or invalid UTF-8 and had to be decoded: so
// reading a body allocates nothing in the common case.
type bodyVal struct {
	b  []byte
	ok bool
}

// bodyScanner reads a JSON body once, checking its syntax as encoding/json does and keeping the
// scalars at the paths of a trie; every other value is skipped without being built. It gives
// what encoding/json's Decoder (with UseNumber) and scalarAt give: strings unquoted as encoding/json
// unquotes them, numbers as written, true/false, null as "null"; and for a duplicate key, the
// last value.
type bodyScanner struct {
	data []byte
	pos  int
	vals []bodyVal
	// open is the stack of containers skip is inside, true for an object; kept for its capacity.
	open []bool
}

// extract fills vals (one per slot of bp) with the scalars of body at bp's paths. It returns false
// when body does not parse as encoding/json's Decoder reads it: one value after optional
// whitespace, whatever follows that value ignored.
func (s *bodyScanner) extract(body []byte, bp *bodyPaths, vals []bodyVal) bool {
	s.data, s.pos, s.vals = body, 0, vals
	clear(vals)
	ok := s.value(bp.root, 0)
	s.data, s.vals = nil, nil
	return ok
}

// value reads one value, inside depth containers, keeping the scalars at n and below it. A nil n
// means no path leads into the value: it is only checked.
func (s *bodyScanner) value(n *pathNode, depth int) bool {
	if n == nil {
		return s.skip(depth)
	}
	s.space()
	if s.pos == len(s.data) {
		return false
	}
	switch s.data[s.pos] {
	case '{':
		return s.object(n, depth+1)
	case '[':
		return s.array(n, depth+1)
	}
	start := s.pos
	kind := s.scalar()
	if kind == 0 {
		return false
	}
	if n.slot >= 0 {
		s.vals[n.slot] = s.scalarForm(start, kind)
	}
	return true
}

// object reads an object at n, the depth-th container from the top.
func (s *bodyScanner) object(n *pathNode, depth int) bool {
	if depth > maxBodyNesting {
		return false
	}
	s.pos++
	s.space()
	if s.at('}') {
		s.pos++
		return true
	}
	for {
		s.space()
		child, ok := s.member(n)
		if !ok || !s.value(child, depth) {
			return false
		}
		if done, ok := s.next('}'); !ok || done {
			return ok
		}
	}
}

// member reads an object member's key and colon and returns the node the key leads to from n (nil
// for none), with the slots below it cleared: the last of duplicate keys wins, as in encoding/json.
func (s *bodyScanner) member(n *pathNode) (*pathNode, bool) {
	if !s.at('"') {
		return nil, false
	}
	start := s.pos
	if !s.str() {
		return nil, false
	}
	var child *pathNode
	if n.keys != nil {
		raw := s.data[start+1 : s.pos-1]
		if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			child = n.keys[string(raw)]
		} else {
			child = n.keys[s.unquote(start)]
		}
	}
	s.space()
	if !s.at(':') {
		return nil, false
	}
	s.pos++
	if child != nil {
		for _, slot := range child.within {
			s.vals[slot] = bodyVal{}
		}
	}
	return child, true
}

// array reads an array at n, the depth-th container from the top.
func (s *bodyScanner) array(n *pathNode, depth int) bool {
	if depth > maxBodyNesting {
		return false
	}
	s.pos++
	s.space()
	if s.at(']') {
		s.pos++
		return true
	}
	for i := 0; ; i++ {
		var child *pathNode
		if n.elems != nil {
			child = n.elems[i]
		}
		if !s.value(child, depth) {
			return false
		}
		if done, ok := s.next(']'); !ok || done {
			return ok
		}
	}
}

// next reads what follows a container's element: a comma (more follow) or the closing byte.
func (s *bodyScanner) next(closing byte) (done, ok bool) {
	s.space()
	if s.pos == len(s.data) {
		return false, false
	}
	switch s.data[s.pos] {
	case ',':
		s.pos++
		return false, true
	case closing:
		s.pos++
		return true, true
	}
	return false, false
}

// skip checks one value, inside depth containers, without keeping anything.
func (s *bodyScanner) skip(depth int) bool {
	open := s.open[:0]
	for {
		if !s.skipOpening(&open, depth) {
			return false
		}
		// After a value: close what it ends, or go on to the next element.
		for {
			if len(open) == 0 {
				s.open = open
				return true
			}
			s.space()
			if s.pos == len(s.data) {
				return false
			}
			c, obj := s.data[s.pos], open[len(open)-1]
			if c == ',' {
				s.pos++
				if obj && !s.skipKey() {
					return false
				}
				break
			}
			if (obj && c == '}') || (!obj && c == ']') {
				s.pos++
				open = open[:len(open)-1]
				continue
			}
			return false
		}
	}
}

// skipOpening reads the start of a value for skip: a scalar whole, an empty container whole, or
// the opening of a container (then pushed on open, with its first key when it is an object).
func (s *bodyScanner) skipOpening(open *[]bool, depth int) bool {
	for {
		s.space()
		if s.pos == len(s.data) {
			return false
		}
		c := s.data[s.pos]
		if c != '{' && c != '[' {
			return s.scalar() != 0
		}
		if depth+len(*open)+1 > maxBodyNesting {
			return false
		}
		s.pos++
		s.space()
		if s.at(c + 2) { // '}' is '{'+2 and ']' is '['+2
			s.pos++
			return true
		}
		*open = append(*open, c == '{')
		if c == '{' && !s.skipKey() {
			return false
		}
	}
}

// skipKey reads an object member's key and colon.
func (s *bodyScanner) skipKey() bool {
	s.space()
	if !s.at('"') || !s.str() {
		return false
	}
	s.space()
	if !s.at(':') {
		return false
	}
	s.pos++
	return true
}

// scalar reads a string, number, true, false or null, and returns its first byte ('"' for a
// string, '0' for a number); 0 when there is none or it is malformed.
func (s *bodyScanner) scalar() byte {
	switch c := s.data[s.pos]; {
	case c == '"':
		if s.str() {
			return '"'
		}
	case c == '-' || ('0' <= c && c <= '9'):
		if s.number() {
			return '0'
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return 0
}

// scalarForm is the string form of the scalar read from start to s.pos: a number, true, false
// and null are their own text; a string (kind '"', see scalar) is unquoted.
func (s *bodyScanner) scalarForm(start int, kind byte) bodyVal {
	raw := s.data[start:s.pos:s.pos]
	if kind != '"' {
		return bodyVal{b: raw, ok: true}
	}
	in := raw[1 : len(raw)-1]
	if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
		return bodyVal{b: in, ok: true}
	}
	return bodyVal{b: []byte(s.unquote(start)), ok: true}
}

// unquote decodes the string read from start to s.pos exactly as encoding/json does (escapes,
// surrogates, invalid UTF-8 replaced); only strings with escapes or invalid UTF-8 come here.
func (s *bodyScanner) unquote(start int) string {
	var out string
	_ = json.Unmarshal(s.data[start:s.pos], &out) // str checked the syntax: it cannot fail
	return out
}

// str reads a string: s.pos is at its opening quote.
func (s *bodyScanner) str() bool {
	d := s.data
	for i := s.pos + 1; i < len(d); {
		i = plainRun(d, i)
		if i == len(d) {
			break
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return true
		case c == '\\':
			n := escapeLen(d[i+1:])
			if n == 0 {
				return false
			}
			i += 1 + n
		case c < 0x20:
			return false
		default:
			i++
		}
	}
	return false
}

// Bytes repeated in every byte of a word, for plainRun.
const (
	wordOnes  = 0x0101010101010101
	wordHighs = 0x8080808080808080
)

// plainRun returns the index of the first byte from i on that ends a run of plain string bytes
// (a quote, a backslash or a control character), or len(d). It tests eight bytes at a time: a
// word has none of them when no byte is below 0x20 and none equals '"' or '\\' (the classic
// "has a byte less than n" and "has a zero byte" tests, exact for any).
func plainRun(d []byte, i int) int {
	for i+8 <= len(d) {
		x := binary.LittleEndian.Uint64(d[i:])
		q, b := x^(wordOnes*'"'), x^(wordOnes*'\\')
		if ((x-wordOnes*0x20)&^x|(q-wordOnes)&^q|(b-wordOnes)&^b)&wordHighs != 0 {
			break
		}
		i += 8
	}
	for i < len(d) {
		if c := d[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
		i++
	}
	return i
}

// escapeLen is the length of the escape that d starts with (after its backslash); 0 when d does
// not start with a valid one.
func escapeLen(d []byte) int {
	if len(d) == 0 {
		return 0
	}
	switch d[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 1
	case 'u':
		if len(d) < 5 {
			return 0
		}
		for _, h := range d[1:5] {
			if !isHex(h) {
				return 0
			}
		}
		return 5
	}
	return 0
}

// number reads a number with JSON's grammar.
func (s *bodyScanner) number() bool {
	d, i := s.data, s.pos
	if d[i] == '-' {
		i++
	}
	switch {
	case i == len(d):
		return false
	case d[i] == '0':
		i++
	case isDigit(d[i]):
		i = digits(d, i)
	default:
		return false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i == len(d) || !isDigit(d[i]) {
			return false
		}
		i = digits(d, i)
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i == len(d) || !isDigit(d[i]) {
			return false
		}
		i = digits(d, i)
	}
	s.pos = i
	return true
}

// digits returns the index of the first non-digit in d from i.
func digits(d []byte, i int) int {
	for i < len(d) && isDigit(d[i]) {
		i++
	}
	return i
}

// literal reads lit (true, false or null) and returns its first byte; 0 when it is not there.
func (s *bodyScanner) literal(lit string) byte {
	if !bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
		return 0
	}
	s.pos += len(lit)
	return lit[0]
}

// space skips JSON whitespace.
func (s *bodyScanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// at reports whether the byte at s.pos is c.
func (s *bodyScanner) at(c byte) bool { return s.pos < len(s.data) && s.data[s.pos] == c }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
