// Package ssetoken issues and verifies the short-lived tokens that let a browser open its SSE
// stream on a backend: the web app signs them with a secret it shares with the backends (HMAC-
// SHA256, see signedtoken), so a stream is never opened by a bare user name.
package ssetoken

import (
	"errors"
	"strconv"
	"time"

	"fmn/internal/signedtoken"
)

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = signedtoken.MinSecretLen

// DefaultTTL is how long an issued token is valid. A stream ends when its token expires (the
// backend sends an "expired" event first), and the page fetches a fresh token to go on.
const DefaultTTL = 15 * time.Minute

// MaxTTL is the longest a token can be valid: Issue shortens longer lifetimes to it, and Verify
// refuses a token that claims a longer one. It bounds how long a revocation must be remembered
// (see sse.Revoke): after MaxTTL, no token issued before a revocation can still be valid.
const MaxTTL = 24 * time.Hour

// maxTokenLen bounds what Verify looks at.
const maxTokenLen = 512

// version is the token format's prefix. "v1" tokens (user and expiry) had no issue time, so a
// revocation could not tell them apart: they are refused.
const version = "v2"

// ErrInvalid is returned for every token that must be refused: malformed, forged or expired.
var ErrInvalid = errors.New("invalid or expired token")

// Claims are what a valid token says.
type Claims struct {
	// User is who the stream belongs to.
	User string
	// IssuedAt is when the token was issued (to the millisecond): a token issued at or before
	// its user's revocation time is refused.
	IssuedAt time.Time
	// ExpiresAt is when the token, and a stream opened with it, ends (to the millisecond).
	ExpiresAt time.Time
}

// Signer issues and verifies tokens.
type Signer struct {
	s *signedtoken.Signer
}

// NewSigner returns a signer with secret, which must be at least MinSecretLen bytes.
func NewSigner(secret []byte) (*Signer, error) {
	s, err := signedtoken.New(secret, version, "fmn-sse-token", maxTokenLen)
	if err != nil {
		return nil, err
	}
	return &Signer{s: s}, nil
}

// Issue returns a token for user issued at now and valid until now+ttl (ttl is cut to MaxTTL).
func (s *Signer) Issue(user string, now time.Time, ttl time.Duration) string {
	ttl = min(ttl, MaxTTL)
	return s.s.Seal(user, strconv.FormatInt(now.UnixMilli(), 10), strconv.FormatInt(now.Add(ttl).UnixMilli(), 10))
}

// Verify returns the claims of a token that is valid at now, or ErrInvalid.
func (s *Signer) Verify(token string, now time.Time) (Claims, error) {
	f, err := s.s.Open(token)
	if err != nil || len(f) != 3 || f[0] == "" {
		return Claims{}, ErrInvalid
	}
	iat, err1 := strconv.ParseInt(f[1], 10, 64)
	exp, err2 := strconv.ParseInt(f[2], 10, 64)
	if err1 != nil || err2 != nil || exp < iat || exp-iat > MaxTTL.Milliseconds() || now.UnixMilli() >= exp {
		return Claims{}, ErrInvalid
	}
	return Claims{User: f[0], IssuedAt: time.UnixMilli(iat), ExpiresAt: time.UnixMilli(exp)}, nil
}
