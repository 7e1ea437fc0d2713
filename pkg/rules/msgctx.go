package rules

import (
	"bytes"
	"encoding/json"

	"fmn/pkg/message"
)

// msgCtx is one message being matched: its names as symbol ids, and what its body holds at the
// paths body conditions read, read on first use.
type msgCtx struct {
	m   *message.Message
	own *ownerIndex
	// agent and app are the symbol ids of the agent and app; users of the involved users
	// (Usernames and Agent); groups of the groups; arts of each artifact's name.
	agent, app   uint32
	users        []uint32
	groups, arts []uint32
	// artTypes holds the symbol id of each artifact's type.
	artTypes []uint32
	// artOwners holds the owners of each artifact, looked up on first use (ownersDone).
	artOwners  []*owners
	ownersDone bool
	// bodyState is 0 until the body is read (for a body condition or the index of body values),
	// then 1, whether it parsed or not.
	bodyState uint8
	// fullParse makes body conditions read a full parse of the body (body, bodyDone, bodyOK), as
	// the naive evaluator, the reference, does; otherwise each program's paths are extracted in
	// one pass (bodies). reset leaves it as it is.
	fullParse        bool
	body             any
	bodyDone, bodyOK bool
	// bodies holds the extractions done for this message: one per program (a base and its
	// overlay), each over that program's paths.
	bodies [2]bodyExtract
	scan   bodyScanner
}

// bodyExtract is the outcome of one extraction: the scalars at paths' slots, valid when the body
// parsed, and the outcome of each of the program's body conditions once tested (0 before).
type bodyExtract struct {
	paths  *bodyPaths
	vals   []bodyVal
	tested []uint8
	valid  bool
}

// reset prepares x for m, reusing its buffers; reset(nil, nil) drops the references.
func (x *msgCtx) reset(m *message.Message, own *ownerIndex) {
	x.m, x.own, x.bodyState, x.body, x.bodyDone, x.bodyOK = m, own, 0, nil, false, false
	for i := range x.bodies {
		e := &x.bodies[i]
		clear(e.vals) // drop the references into the last body
		e.paths, e.vals, e.valid = nil, e.vals[:0], false
	}
	x.users, x.groups, x.arts, x.artTypes = x.users[:0], x.groups[:0], x.arts[:0], x.artTypes[:0]
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
		x.artTypes = append(x.artTypes, own.lookup(string(a.Type)))
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

// bodyHolds evaluates p's body condition ext (before negation). The body is read on first use:
// parsed whole with fullParse, else scanned once per program for that program's paths, and each
// distinct body condition of the program is then tested at most once per message (filters share
// a condition written alike, such as the same regexp on the same path).
func (x *msgCtx) bodyHolds(p *program, ext uint32) bool {
	x.bodyState = 1
	b := p.bodies[ext]
	if x.fullParse {
		root, ok := x.parsedBody()
		if !ok {
			return false
		}
		s, ok := scalarAt(root, b.path)
		return ok && b.test([]byte(s))
	}
	e := x.extraction(p.paths)
	if !e.valid {
		return false
	}
	if r := e.tested[ext]; r != 0 {
		return r == testedTrue
	}
	v := e.vals[p.paths.slotOf[ext]]
	ok := v.ok && b.test(v.b)
	e.tested[ext] = testedFalse
	if ok {
		e.tested[ext] = testedTrue
	}
	return ok
}

// What bodyExtract.tested holds for a condition: not tested yet, or the outcome.
const (
	testedFalse = 1 + iota
	testedTrue
)

// extraction returns the extraction of the body over paths, scanning the body on first use.
func (x *msgCtx) extraction(paths *bodyPaths) *bodyExtract {
	e := &x.bodies[0]
	for i := range x.bodies {
		if x.bodies[i].paths == paths {
			return &x.bodies[i]
		}
		if x.bodies[i].paths == nil {
			e = &x.bodies[i]
			break
		}
	}
	// A third program (never, as a Matcher has at most a base and an overlay) reuses the first.
	e.paths = paths
	e.vals = resize(e.vals, paths.slots)
	e.tested = resize(e.tested, len(paths.slotOf))
	e.valid = x.scan.extract(x.m.Body, paths, e.vals)
	return e
}

// resize returns s with length n and every element zero, reusing its array when large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// parsedBody parses the whole body on first use; nil, false when it is not valid JSON.
func (x *msgCtx) parsedBody() (any, bool) {
	if !x.bodyDone {
		x.bodyDone = true
		dec := json.NewDecoder(bytes.NewReader(x.m.Body))
		dec.UseNumber()
		x.bodyOK = dec.Decode(&x.body) == nil
	}
	return x.body, x.bodyOK
}
