package fault

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestParseFaults reads the suite's spelling and refuses what it does not know.
func TestParseFaults(t *testing.T) {
	t.Parallel()
	all, err := Parse("all")
	require.NoError(t, err)
	require.Len(t, all, 8)
	require.Equal(t, Fault{Kind: SMTP, For: 30 * time.Second}, all[7])
	got, err := Parse("worker, postgres=2s")
	require.NoError(t, err)
	require.Equal(t, []Fault{{Kind: Worker}, {Kind: Postgres, For: 2 * time.Second}}, got)
	for _, bad := range []string{"disk", "worker=1s", "redis=soon", "smtp=-1s"} {
		_, err := Parse(bad)
		require.Error(t, err, bad)
	}
}
