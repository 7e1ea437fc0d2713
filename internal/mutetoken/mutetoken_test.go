package mutetoken_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/mutetoken"
)

const secret = "0123456789abcdef0123456789abcdef"

func TestRoundTripAndForgery(t *testing.T) {
	t.Parallel()
	s, err := mutetoken.NewSigner([]byte(secret))
	require.NoError(t, err)
	tok := s.Issue("alice", []int64{3, 7})
	require.Equal(t, tok, s.Issue("alice", []int64{3, 7}), "deterministic")
	user, filters, err := s.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, "alice", user)
	require.Equal(t, []int64{3, 7}, filters)

	other, err := mutetoken.NewSigner([]byte(secret + "x"))
	require.NoError(t, err)
	for name, bad := range map[string]string{
		"other secret":   other.Issue("alice", []int64{3}),
		"no filters":     s.Issue("alice", nil),
		"empty":          "",
		"wrong prefix":   "v1" + tok[2:],
		"tampered":       tok[:len(tok)-2] + "AA",
		"two parts only": "m1.abc",
	} {
		_, _, err := s.Verify(bad)
		require.ErrorIs(t, err, mutetoken.ErrInvalid, name)
	}
	_, err = mutetoken.NewSigner([]byte("short"))
	require.Error(t, err)
}
