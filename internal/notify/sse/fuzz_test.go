package sse

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzEventID: a Last-Event-ID from a browser is either refused or has the shape of a Redis
// stream id; for those, the ordering used to spot trimmed streams is consistent.
func FuzzEventID(f *testing.F) {
	f.Add("1700000000000-0", "1700000000000-1")
	f.Add("0-0", "18446744073709551615-18446744073709551615")
	f.Add("99999999999999999999-1", "1-1")
	f.Add("1-", "-1")
	f.Add("\n1-1", "1-1\r")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !ValidEventID(a) {
			_, err := (&Store{}).Read(t.Context(), "u", a, 1)
			require.ErrorIs(t, err, ErrBadEventID, "a malformed id is refused before Redis is asked")
			return
		}
		require.Regexp(t, `^[0-9]+-[0-9]+$`, a)
		require.Zero(t, compareIDs(a, a))
		if ValidEventID(b) {
			require.Equal(t, -compareIDs(b, a), compareIDs(a, b), "antisymmetric")
		}
	})
}
