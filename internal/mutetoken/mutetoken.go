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
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = 32

// maxTokenLen bounds what Verify looks at.
const maxTokenLen = 1024

// maxFilters bounds the filter ids one token names.
const maxFilters = 32

const prefix = "m1"

// ErrInvalid is returned for every token that must be refused: malformed or forged.
var ErrInvalid = errors.New("invalid mute token")

// Signer issues and verifies mute tokens.
type Signer struct {
	key []byte
}

// NewSigner returns a signer with secret, which must be at least MinSecretLen bytes.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("mute token secret must be at least %d bytes, got %d", MinSecretLen, len(secret))
	}
	return &Signer{key: append([]byte(nil), secret...)}, nil
}

// Issue returns a token naming user and filters (at most 32 are kept). The same inputs always
// give the same token.
func (s *Signer) Issue(user string, filters []int64) string {
	var b strings.Builder
	b.WriteString(user)
	for i, f := range filters {
		if i == maxFilters {
			break
		}
		b.WriteByte('\n')
		b.WriteString(strconv.FormatInt(f, 10))
	}
	payload := base64.RawURLEncoding.EncodeToString([]byte(b.String()))
	return prefix + "." + payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// Verify returns the user and filters a valid token names, or ErrInvalid.
func (s *Signer) Verify(token string) (user string, filters []int64, err error) {
	if len(token) > maxTokenLen {
		return "", nil, ErrInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != prefix {
		return "", nil, ErrInvalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.mac(parts[1])) {
		return "", nil, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", nil, ErrInvalid
	}
	fields := strings.Split(string(raw), "\n")
	if fields[0] == "" || len(fields) < 2 {
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

func (s *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("fmn-mute-token|"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
