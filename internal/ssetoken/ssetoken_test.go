package ssetoken

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	s, err := NewSigner([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	other, err := NewSigner([]byte(strings.Repeat("o", 32)))
	require.NoError(t, err)
	tok := s.Issue("alice", now, time.Minute)

	user, err := s.Verify(tok, now.Add(59*time.Second))
	require.NoError(t, err)
	require.Equal(t, "alice", user)

	for name, tc := range map[string]struct {
		token string
		at    time.Time
	}{
		"expired":          {tok, now.Add(time.Minute)},
		"other key":        {other.Issue("alice", now, time.Minute), now},
		"user swapped":     {strings.Replace(tok, strings.Split(tok, ".")[1], strings.Split(s.Issue("bob", now, time.Minute), ".")[1], 1), now},
		"bare user name":   {"alice", now},
		"empty":            {"", now},
		"truncated":        {tok[:len(tok)-3], now},
		"oversized":        {tok + strings.Repeat("A", 600), now},
		"wrong version":    {"v2" + tok[2:], now},
		"signature absent": {strings.Join(strings.Split(tok, ".")[:2], ".") + ".", now},
	} {
		_, err := s.Verify(tc.token, tc.at)
		require.ErrorIs(t, err, ErrInvalid, name)
	}

	_, err = NewSigner([]byte("short"))
	require.Error(t, err)
}
