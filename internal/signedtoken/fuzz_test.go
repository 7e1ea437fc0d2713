package signedtoken

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzOpen: a token from outside (a URL, a header) either opens to exactly the fields it was
// sealed with or is refused with ErrInvalid; a token sealed for another purpose never opens.
func FuzzOpen(f *testing.F) {
	secret := []byte(strings.Repeat("s", MinSecretLen))
	s, err := New(secret, "v1", "fuzz", 512)
	require.NoError(f, err)
	other, err := New(secret, "v1", "other", 512)
	require.NoError(f, err)
	f.Add(s.Seal("alice", "123"))
	f.Add(other.Seal("alice", "123"))
	f.Add("v1..")
	f.Add("v1.YWxpY2U.")
	f.Add(strings.Repeat(".", 600))
	f.Fuzz(func(t *testing.T, token string) {
		fields, err := s.Open(token)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			require.Nil(t, fields)
		} else {
			require.Equal(t, token, s.Seal(fields...), "only what Seal made opens")
			_, err := other.Open(token)
			require.ErrorIs(t, err, ErrInvalid, "a token of one purpose never opens as another")
		}
		// Whatever the fields, a sealed token opens to them.
		parts := strings.Split(token, "\n")
		sealed := s.Seal(parts...)
		if len(sealed) <= 512 {
			got, err := s.Open(sealed)
			require.NoError(t, err)
			require.Equal(t, parts, got)
		}
	})
}
