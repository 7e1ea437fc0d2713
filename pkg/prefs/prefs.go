// Package prefs holds fmn's preferences model: users, their destinations and filters, and the
// snapshot of everything a worker needs to match messages. The Postgres store is in pgstore.
package prefs

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"fmn/pkg/rules"
)

// Destination kinds.
const (
	KindEmail = "email"
	KindIRC   = "irc"
	KindSSE   = "sse"
)

// Formats of a notification.
const (
	FormatShort   = "short"
	FormatVerbose = "verbose"
)

// Store errors, mapped once at the store boundary.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrSubjectUnconfirmed refuses a login to an account that exists but is bound to no
	// OpenID subject, when the provider does not guarantee that only its owner presents its
	// name: the operator must bind it first.
	ErrSubjectUnconfirmed = errors.New("account not yet bound to a login")
)

// InvalidError says which input is wrong and why; APIs show it to the user.
type InvalidError struct {
	Field  string
	Reason string
}

// Error implements error.
func (e *InvalidError) Error() string { return e.Field + ": " + e.Reason }

// User is an account.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	IsAdmin   bool      `json:"is_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Destination is somewhere a user's notifications go.
type Destination struct {
	ID        int64  `json:"id"`
	UserID    int64  `json:"user_id"`
	Kind      string `json:"kind"`
	Address   string `json:"address"`
	Confirmed bool   `json:"confirmed"`
	Enabled   bool   `json:"enabled"`
	Format    string `json:"format"`
	// DigestMaxDelay and DigestMaxCount, when set, collect notifications into digests.
	DigestMaxDelay time.Duration `json:"digest_max_delay,omitempty"`
	DigestMaxCount int           `json:"digest_max_count,omitempty"`
}

// Deliverable reports whether anything may be sent to the destination.
func (d *Destination) Deliverable() bool { return d.Confirmed && d.Enabled }

// maxNameLen bounds user names, as the schema does.
const maxNameLen = 64

// ValidateUserName refuses names the schema would refuse, with a readable reason.
func ValidateUserName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return &InvalidError{Field: "name", Reason: fmt.Sprintf("must be 1 to %d characters", maxNameLen)}
	}
	for i, r := range name {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			(i > 0 && (r == '.' || r == '-'))
		if !ok {
			return &InvalidError{Field: "name", Reason: "may hold only letters, digits, '_', and (not first) '.' or '-'"}
		}
	}
	return nil
}

// ValidateDestination checks kind, address and format, normalising the address.
func ValidateDestination(d *Destination) error {
	if d.Format == "" {
		d.Format = FormatShort
	}
	if d.Format != FormatShort && d.Format != FormatVerbose {
		return &InvalidError{Field: "format", Reason: `must be "short" or "verbose"`}
	}
	d.Address = strings.TrimSpace(d.Address)
	switch d.Kind {
	case KindEmail:
		a, err := mail.ParseAddress(d.Address)
		if err != nil || a.Name != "" || strings.ContainsAny(a.Address, "\r\n") {
			return &InvalidError{Field: "address", Reason: "is not a plain e-mail address"}
		}
		d.Address = a.Address
	case KindIRC:
		if !ValidIRCNick(d.Address) {
			return &InvalidError{Field: "address", Reason: IRCNickRule}
		}
	case KindSSE:
		if d.Address == "" {
			return &InvalidError{Field: "address", Reason: "must not be empty"}
		}
	default:
		return &InvalidError{Field: "kind", Reason: `must be "email", "irc" or "sse"`}
	}
	if d.DigestMaxDelay < 0 || d.DigestMaxCount < 0 {
		return &InvalidError{Field: "digest", Reason: "limits must not be negative"}
	}
	return nil
}

// Owner kinds of artifact ownership.
const (
	OwnerUser  = "user"
	OwnerGroup = "group"
)

// Snapshot is everything a worker needs to match: every user's filters (as rules see them) and
// every destination they send to.
type Snapshot struct {
	// Version is the change version the snapshot is at least as new as.
	Version int64
	Rules   rules.Snapshot
	// Destinations maps destination id to destination, for deliverable destinations only.
	Destinations map[int64]Destination
	// FilterNames maps filter id to its name.
	FilterNames map[int64]string
}

// UserPrefs is one user's part of a snapshot: what a worker needs to patch that user alone.
type UserPrefs struct {
	Name string
	// Filters are the user's enabled filters.
	Filters []rules.Filter
	// Destinations are the user's deliverable destinations.
	Destinations []Destination
	// Exists is false when the user was deleted.
	Exists bool
}

// APIToken is one of a user's API tokens, without its secret (which only its creator ever sees).
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// APITokenPrefix starts every API token, so a leaked one is easy to recognise and scan for.
const APITokenPrefix = "fmn_"

// UserSummary is a line of the administrators' user list.
type UserSummary struct {
	User
	Destinations int `json:"destinations"`
	Filters      int `json:"filters"`
}
