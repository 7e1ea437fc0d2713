package mutetoken

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzVerify: a mute link's token from an email client is either refused or names exactly the
// user, destination, filters and expiry it was issued with; issuing what it names gives the same
// token back.
func FuzzVerify(f *testing.F) {
	s, err := NewSigner([]byte(strings.Repeat("k", MinSecretLen)))
	require.NoError(f, err)
	now := time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC)
	f.Add(s.Issue(Claims{User: "alice", Destination: 7, Filters: []int64{1, 2}, Expires: now.Add(DefaultTTL)}))
	f.Add(s.Issue(Claims{User: "bob", Destination: 1, Expires: now.Add(DefaultTTL)}))
	f.Add("m1.YWxpY2UKMQ.")
	f.Add("m2.YWxpY2UKNwo5OTk5OTk5OTk5CjE.")
	f.Add("v1.x.y")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := s.Verify(token, now)
		if err != nil {
			require.Empty(t, c.User)
			return
		}
		require.NotEmpty(t, c.User)
		require.Positive(t, c.Destination)
		require.NotEmpty(t, c.Filters)
		require.True(t, now.Before(c.Expires))
		require.Equal(t, token, s.Issue(c))
	})
}
