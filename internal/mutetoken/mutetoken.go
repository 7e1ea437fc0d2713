// Package mutetoken issues and verifies the tokens of the one-click mute links in notification
// emails (List-Unsubscribe, RFC 8058). A token names a user and the filters that sent the email,
// signed with HMAC-SHA256 under a secret the backends share with the web app, so nobody can mute
// someone else's filters by guessing ids.
//
// Tokens do not expire: a mute link must work in an email read weeks later, and all a token can
// do is disable filters its user owns, which is idempotent and undone in the web app. Rotating
// the secret invalidates every link sent so far.
package mutetoken

import (
	"errors"
	"strconv"

	"fmn/internal/signedtoken"
)

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = signedtoken.MinSecretLen

// maxTokenLen bounds what Verify looks at.
const maxTokenLen = 1024

// maxFilters bounds the filter ids one token names.
const maxFilters = 32

// ErrInvalid is returned for every token that must be refused: malformed or forged.
var ErrInvalid = errors.New("invalid mute token")

// Signer issues and verifies mute tokens.
type Signer struct {
	s *signedtoken.Signer
}

// NewSigner returns a signer with secret, which must be at least MinSecretLen bytes.
func NewSigner(secret []byte) (*Signer, error) {
	s, err := signedtoken.New(secret, "m1", "fmn-mute-token", maxTokenLen)
	if err != nil {
		return nil, err
	}
	return &Signer{s: s}, nil
}

// Issue returns a token naming user and filters (at most 32 are kept). The same inputs always
// give the same token.
func (s *Signer) Issue(user string, filters []int64) string {
	fields := []string{user}
	for i, f := range filters {
		if i == maxFilters {
			break
		}
		fields = append(fields, strconv.FormatInt(f, 10))
	}
	return s.s.Seal(fields...)
}

// Verify returns the user and filters a valid token names, or ErrInvalid.
func (s *Signer) Verify(token string) (user string, filters []int64, err error) {
	fields, err := s.s.Open(token)
	if err != nil || len(fields) < 2 || fields[0] == "" {
		return "", nil, ErrInvalid
	}
	for _, f := range fields[1:] {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return "", nil, ErrInvalid
		}
		filters = append(filters, id)
	}
	return fields[0], filters, nil
}
