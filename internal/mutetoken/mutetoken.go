// Package mutetoken issues and verifies the tokens of the one-click mute links in notification
// emails (List-Unsubscribe, RFC 8058). A token names a user, the destination the email went to
// and the filters that sent it, and when it expires, signed with HMAC-SHA256 under a secret the
// backends share with the web app, so nobody can mute someone else's filters by guessing ids.
//
// All a token can do is disable filters its user owns, which is idempotent and undone in the web
// app. It expires (DefaultTTL) so that a link in an old email does not work forever, and it
// names the destination (a numeric id, the user's own) so that the web app can tell the account
// it was issued for from a later account of the same name: ids are never reused. Rotating the
// secret invalidates every link sent so far.
//
// Tokens of the first format ("m1", a user name and filters, no expiry) are recognised and
// refused with ErrOldFormat.
package mutetoken

import (
	"errors"
	"strconv"
	"time"

	"fmn/internal/signedtoken"
)

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = signedtoken.MinSecretLen

// DefaultTTL is how long a mute link works after its notification was matched. A link in an old
// email should not work forever (a leaked or forwarded email mutes nothing after it), and RFC
// 8058 one-click unsubscribing needs it to keep working for a reasonable time: people act on
// emails weeks after they arrive.
const DefaultTTL = 90 * 24 * time.Hour

// Token prefixes (the format's version) and purposes. The MAC covers the purpose, not the
// prefix, so each version has a purpose of its own: a token of one version relabelled with the
// other's prefix opens as neither.
const (
	prefix     = "m2"
	purpose    = "fmn-mute-token/m2"
	oldPrefix  = "m1"
	oldPurpose = "fmn-mute-token"
)

// maxTokenLen bounds what Verify looks at: a 64-byte user name, a destination, an expiry and 32
// filter ids of 19 digits fit.
const maxTokenLen = 1200

// maxFilters bounds the filter ids one token names.
const maxFilters = 32

// Errors of Verify. Each is refused; the web app tells the reader which.
var (
	// ErrInvalid is a malformed or forged token.
	ErrInvalid = errors.New("invalid mute token")
	// ErrExpired is a genuine token past its expiry.
	ErrExpired = errors.New("mute token expired")
	// ErrOldFormat is a genuine token of the first format, which named no destination and no
	// expiry.
	ErrOldFormat = errors.New("mute token of an older format")
)

// Claims is what a token says.
type Claims struct {
	// User is the name of the user whose filters the token mutes.
	User string
	// Destination is the id of the user's destination the email went to. The notification does
	// not carry the user's numeric id, so the destination's stands for it: it belongs to that
	// account only.
	Destination int64
	// Filters are the filters to disable (at most 32 are kept).
	Filters []int64
	// Expires is when the token stops working (second precision).
	Expires time.Time
}

// Signer issues and verifies mute tokens.
type Signer struct {
	s   *signedtoken.Signer
	old *signedtoken.Signer // recognises the first format's tokens, to refuse them by name
}

// NewSigner returns a signer with secret, which must be at least MinSecretLen bytes.
func NewSigner(secret []byte) (*Signer, error) {
	s, err := signedtoken.New(secret, prefix, purpose, maxTokenLen)
	if err != nil {
		return nil, err
	}
	old, err := signedtoken.New(secret, oldPrefix, oldPurpose, maxTokenLen)
	if err != nil {
		return nil, err
	}
	return &Signer{s: s, old: old}, nil
}

// Issue returns the token of c. The same claims always give the same token.
func (s *Signer) Issue(c Claims) string {
	fields := []string{c.User, strconv.FormatInt(c.Destination, 10), strconv.FormatInt(c.Expires.Unix(), 10)}
	for i, f := range c.Filters {
		if i == maxFilters {
			break
		}
		fields = append(fields, strconv.FormatInt(f, 10))
	}
	return s.s.Seal(fields...)
}

// Verify returns the claims of a token that is valid at now; ErrExpired or ErrOldFormat for a
// genuine token that no longer works; ErrInvalid for anything else.
func (s *Signer) Verify(token string, now time.Time) (Claims, error) {
	fields, err := s.s.Open(token)
	if err != nil {
		if _, oerr := s.old.Open(token); oerr == nil {
			return Claims{}, ErrOldFormat
		}
		return Claims{}, ErrInvalid
	}
	if len(fields) < 4 || fields[0] == "" {
		return Claims{}, ErrInvalid
	}
	c := Claims{User: fields[0]}
	if c.Destination, err = strconv.ParseInt(fields[1], 10, 64); err != nil || c.Destination <= 0 {
		return Claims{}, ErrInvalid
	}
	exp, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		return Claims{}, ErrInvalid
	}
	c.Expires = time.Unix(exp, 0).UTC()
	for _, f := range fields[3:] {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return Claims{}, ErrInvalid
		}
		c.Filters = append(c.Filters, id)
	}
	if !now.Before(c.Expires) {
		return Claims{}, ErrExpired
	}
	return c, nil
}
