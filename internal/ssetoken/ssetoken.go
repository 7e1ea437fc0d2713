// Package ssetoken issues and verifies the short-lived tokens that let a browser open its SSE
// stream on a backend: the web app signs them with a secret it shares with the backends (HMAC-
// SHA256), so a stream is never opened by a bare user name.
package ssetoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = 32

// DefaultTTL is how long an issued token is valid. EventSource reconnects reuse the URL, so the
// page fetches a fresh token when a reconnect is refused.
const DefaultTTL = 15 * time.Minute

// maxTokenLen bounds what Verify looks at.
const maxTokenLen = 512

const prefix = "v1"

// ErrInvalid is returned for every token that must be refused: malformed, forged or expired.
var ErrInvalid = errors.New("invalid or expired token")

// Signer issues and verifies tokens.
type Signer struct {
	key []byte
}

// NewSigner returns a signer with secret, which must be at least MinSecretLen bytes.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("sse token secret must be at least %d bytes, got %d", MinSecretLen, len(secret))
	}
	return &Signer{key: append([]byte(nil), secret...)}, nil
}

// Issue returns a token for user valid until now+ttl.
func (s *Signer) Issue(user string, now time.Time, ttl time.Duration) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(user + "\n" + strconv.FormatInt(now.Add(ttl).Unix(), 10)))
	return prefix + "." + payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// Verify returns the user a valid token was issued for, or ErrInvalid.
func (s *Signer) Verify(token string, now time.Time) (string, error) {
	if len(token) > maxTokenLen {
		return "", ErrInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != prefix {
		return "", ErrInvalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.mac(parts[1])) {
		return "", ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", ErrInvalid
	}
	user, expStr, ok := strings.Cut(string(raw), "\n")
	if !ok || user == "" {
		return "", ErrInvalid
	}
	exp, err := strconv.ParseInt(expStr, 10, 64)
	if err != nil || now.Unix() >= exp {
		return "", ErrInvalid
	}
	return user, nil
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("fmn-sse-token|"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
