package signedtoken

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	key := []byte(strings.Repeat("k", MinSecretLen))
	a, err := New(key, "x1", "purpose-a", 200)
	require.NoError(t, err)
	b, err := New(key, "x1", "purpose-b", 200)
	require.NoError(t, err)

	tok := a.Seal("alice", "42")
	got, err := a.Open(tok)
	require.NoError(t, err)
	require.Equal(t, []string{"alice", "42"}, got)
	require.Equal(t, tok, a.Seal("alice", "42"), "deterministic")

	_, err = b.Open(tok)
	require.ErrorIs(t, err, ErrInvalid, "same secret and prefix, other purpose")
	for _, bad := range []string{"", "x1..", "x1.YWxpY2U.", "y1" + tok[2:], tok + "A", tok[:len(tok)-1] + "A", strings.Repeat("A", 300)} {
		_, err := a.Open(bad)
		require.ErrorIs(t, err, ErrInvalid, "%q", bad)
	}
	_, err = New([]byte("short"), "x1", "p", 10)
	require.Error(t, err)
}
