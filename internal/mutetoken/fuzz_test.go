package mutetoken

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzVerify: a mute link's token from an email client is either refused or names exactly the
// user and filters it was issued for; issuing what it names gives the same token back.
func FuzzVerify(f *testing.F) {
	s, err := NewSigner([]byte(strings.Repeat("k", MinSecretLen)))
	require.NoError(f, err)
	f.Add(s.Issue("alice", []int64{1, 2}))
	f.Add(s.Issue("bob", nil))
	f.Add("m1.YWxpY2UKMQ.")
	f.Add("v1.x.y")
	f.Fuzz(func(t *testing.T, token string) {
		user, filters, err := s.Verify(token)
		if err != nil {
			require.Empty(t, user)
			return
		}
		require.NotEmpty(t, user)
		require.Equal(t, token, s.Issue(user, filters))
	})
}
