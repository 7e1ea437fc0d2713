package rules

import (
	"bytes"
	"encoding/json"

	"fmn/pkg/message"
)

// msgCtx is one message being matched: its names as symbol ids, and its lazily parsed body.
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
	// bodyState is 0 before parsing, 1 when body holds the parsed body, 2 when it did not parse.
	bodyState uint8
	body      any
}

// reset prepares x for m, reusing its buffers; reset(nil, nil) drops the references.
func (x *msgCtx) reset(m *message.Message, own *ownerIndex) {
	x.m, x.own, x.bodyState, x.body = m, own, 0, nil
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

// parsedBody parses the body on first use; nil, false when it is not valid JSON.
func (x *msgCtx) parsedBody() (any, bool) {
	if x.bodyState == 0 {
		x.bodyState = 2
		dec := json.NewDecoder(bytes.NewReader(x.m.Body))
		dec.UseNumber()
		if err := dec.Decode(&x.body); err == nil {
			x.bodyState = 1
		}
	}
	return x.body, x.bodyState == 1
}
