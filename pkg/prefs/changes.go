package prefs

import (
	"time"

	"fmn/pkg/message"
)

// The changes the store applies and reports, as model types any adapter of the store (or a
// parser of bus events, such as internal/ownership) can name without depending on PostgreSQL.

// OwnershipChange adds or removes one owner of one artifact.
type OwnershipChange struct {
	Artifact message.Artifact
	// OwnerKind is OwnerUser or OwnerGroup.
	OwnerKind string
	Owner     string
	Remove    bool
}

// MembershipChange adds or removes one member of one group.
type MembershipChange struct {
	Group, User string
	Remove      bool
}

// DestinationUpdate is what can change on a destination; nil fields stay as they are.
type DestinationUpdate struct {
	Enabled        *bool
	Format         *string
	DigestMaxDelay *time.Duration
	DigestMaxCount *int
}

// Change is one change of preferences as the outbox relay tells workers about it: Version is
// the change's outbox id; User is the user whose preferences changed, or "" for a change that
// may touch anyone (ownership, membership), after which workers reload everything.
type Change struct {
	Version int64  `json:"version"`
	User    string `json:"user,omitempty"`
}
