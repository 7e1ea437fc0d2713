package ssetoken

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/signedtoken"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 250_000_000)
	secret := []byte(strings.Repeat("k", 32))
	s, err := NewSigner(secret)
	require.NoError(t, err)
	other, err := NewSigner([]byte(strings.Repeat("o", 32)))
	require.NoError(t, err)
	tok := s.Issue("alice", now, time.Minute)

	c, err := s.Verify(tok, now.Add(59*time.Second))
	require.NoError(t, err)
	require.Equal(t, Claims{User: "alice", IssuedAt: time.UnixMilli(now.UnixMilli()), ExpiresAt: time.UnixMilli(now.Add(time.Minute).UnixMilli())}, c,
		"the issue and expiry times, to the millisecond")

	// Tokens sealed with the right secret and purpose but not by Issue: the old format, and one
	// claiming a lifetime over MaxTTL.
	v1, err := signedtoken.New(secret, "v1", "fmn-sse-token", maxTokenLen)
	require.NoError(t, err)
	v2, err := signedtoken.New(secret, "v2", "fmn-sse-token", maxTokenLen)
	require.NoError(t, err)
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

	for name, tc := range map[string]struct {
		token string
		at    time.Time
	}{
		"expired":              {tok, now.Add(time.Minute)},
		"other key":            {other.Issue("alice", now, time.Minute), now},
		"user swapped":         {strings.Replace(tok, strings.Split(tok, ".")[1], strings.Split(s.Issue("bob", now, time.Minute), ".")[1], 1), now},
		"bare user name":       {"alice", now},
		"empty":                {"", now},
		"truncated":            {tok[:len(tok)-3], now},
		"oversized":            {tok + strings.Repeat("A", 600), now},
		"wrong version":        {"v1" + tok[2:], now},
		"v1 token":             {v1.Seal("alice", strconv.FormatInt(now.Add(time.Minute).Unix(), 10)), now},
		"over MaxTTL":          {v2.Seal("alice", ms(now), ms(now.Add(MaxTTL+time.Millisecond))), now},
		"expires before issue": {v2.Seal("alice", ms(now.Add(time.Hour)), ms(now.Add(time.Minute))), now},
		"signature absent":     {strings.Join(strings.Split(tok, ".")[:2], ".") + ".", now},
	} {
		_, err := s.Verify(tc.token, tc.at)
		require.ErrorIs(t, err, ErrInvalid, name)
	}

	// A longer lifetime is cut to MaxTTL.
	c, err = s.Verify(s.Issue("alice", now, 48*time.Hour), now.Add(MaxTTL-time.Second))
	require.NoError(t, err)
	require.Equal(t, MaxTTL, c.ExpiresAt.Sub(c.IssuedAt))

	_, err = NewSigner([]byte("short"))
	require.Error(t, err)
}
