package rules

import (
	"regexp"

	"fmn/pkg/message"
)

// fieldID is a Field as a small integer, for compact conditions and fast switches.
type fieldID uint8

// The field ids, one per Field.
const (
	fTopic fieldID = iota + 1
	fApp
	fSeverity
	fUser
	fAgent
	fArtifact
	fOwned
	fGroup
	fBody
)

func fieldIDOf(f Field) fieldID {
	switch f {
	case FieldTopic:
		return fTopic
	case FieldApp:
		return fApp
	case FieldSeverity:
		return fSeverity
	case FieldUser:
		return fUser
	case FieldAgent:
		return fAgent
	case FieldArtifact:
		return fArtifact
	case FieldOwned:
		return fOwned
	case FieldGroup:
		return fGroup
	case FieldBody:
		return fBody
	}
	return 0
}

// pcond is a condition validated and prepared (globs and regexps compiled), then bound to its
// filter's owner. It exists while building a matcher; matching uses the compact cond.
type pcond struct {
	fid    fieldID
	negate bool
	// me is set when a user or agent condition listed Me; binding puts the owner in ids.
	me bool
	// sevMask has bit i set for severityLevels()[i] (severity conditions).
	sevMask uint8
	// artType restricts artifact and owned conditions to one artifact type when not empty.
	artType message.ArtifactType
	// ids holds the values of app, group, user, agent and artifact conditions as symbol ids
	// (with Me resolved); set by binding.
	ids   idSet
	topic *topicCond
	owned *ownedCond
	body  *bodyCond
}

// topicCond holds a topic condition's exact topics and glob patterns.
type topicCond struct {
	exact strSet
	globs []*topicGlob
}

// ownedCond holds an owned condition: before binding, what was written; after, the concrete
// users and groups whose artifacts count.
type ownedCond struct {
	me, myGroups bool
	users        []string
	groups       []string
	// userNames and groupNames are the bound owners, to index at Compile; userIDs and groupIDs
	// the same as symbols, to evaluate.
	userNames, groupNames []string
	userIDs, groupIDs     idSet
}

// bodyCond holds a body condition.
type bodyCond struct {
	path []pathSeg
	set  strSet
	re   *regexp.Regexp
}
