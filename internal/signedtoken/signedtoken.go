// Package signedtoken seals a few text fields into a URL-safe token signed with HMAC-SHA256, and
// opens such tokens again, refusing any that was not made with the same secret and purpose. The
// SSE stream tokens and the e-mail mute tokens are both built on it.
package signedtoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = 32

// ErrInvalid is returned for every token that must be refused: malformed, forged, or made for
// another purpose.
var ErrInvalid = errors.New("invalid token")

// Signer seals and opens tokens of one purpose. Its tokens look like "PREFIX.PAYLOAD.MAC".
type Signer struct {
	key     []byte
	prefix  string // the token's first part: its kind and version, such as "v1" or "m1"
	purpose string // mixed into the MAC, so a token of one kind never opens as another
	maxLen  int
}

// New returns a signer. secret must be at least MinSecretLen bytes; prefix and purpose tell this
// kind of token from others signed with the same secret; maxLen bounds the tokens Open looks at.
func New(secret []byte, prefix, purpose string, maxLen int) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("%s secret must be at least %d bytes, got %d", purpose, MinSecretLen, len(secret))
	}
	return &Signer{key: append([]byte(nil), secret...), prefix: prefix, purpose: purpose, maxLen: maxLen}, nil
}

// Seal returns a token holding fields, which must not contain newlines. The same fields always
// give the same token.
func (s *Signer) Seal(fields ...string) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(strings.Join(fields, "\n")))
	return s.prefix + "." + payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// Open returns the fields of a token this signer sealed, or ErrInvalid.
func (s *Signer) Open(token string) ([]string, error) {
	if len(token) > s.maxLen || strings.IndexFunc(token, notTokenChar) >= 0 {
		return nil, ErrInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != s.prefix {
		return nil, ErrInvalid
	}
	// Strict: a signature with other trailing bits must not open as the same token (tokens
	// would otherwise have several spellings).
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.mac(parts[1])) {
		return nil, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, ErrInvalid
	}
	return strings.Split(string(raw), "\n"), nil
}

// notTokenChar reports whether r cannot appear in a token (base64url and dots). The base64
// decoder skips CR and LF, which would otherwise let other spellings of a token open.
func notTokenChar(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(s.purpose))
	m.Write([]byte{'|'})
	m.Write([]byte(payload))
	return m.Sum(nil)
}
