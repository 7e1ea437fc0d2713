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

// DefaultTTL is how long an issued token is valid. EventSource reconnects reuse the URL, so the
// page fetches a fresh token when a reconnect is refused.
const DefaultTTL = 15 * time.Minute

// maxTokenLen bounds what Verify looks at.
const maxTokenLen = 512

// ErrInvalid is returned for every token that must be refused: malformed, forged or expired.
var ErrInvalid = errors.New("invalid or expired token")

// Signer issues and verifies tokens.
type Signer struct {
	s *signedtoken.Signer
}

// NewSigner returns a signer with secret, which must be at least MinSecretLen bytes.
func NewSigner(secret []byte) (*Signer, error) {
	s, err := signedtoken.New(secret, "v1", "fmn-sse-token", maxTokenLen)
	if err != nil {
		return nil, err
	}
	return &Signer{s: s}, nil
}

// Issue returns a token for user valid until now+ttl.
func (s *Signer) Issue(user string, now time.Time, ttl time.Duration) string {
	return s.s.Seal(user, strconv.FormatInt(now.Add(ttl).Unix(), 10))
}

// Verify returns the user a valid token was issued for, or ErrInvalid.
func (s *Signer) Verify(token string, now time.Time) (string, error) {
	f, err := s.s.Open(token)
	if err != nil || len(f) != 2 || f[0] == "" {
		return "", ErrInvalid
	}
	exp, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || now.Unix() >= exp {
		return "", ErrInvalid
	}
	return f[0], nil
}
