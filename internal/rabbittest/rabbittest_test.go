package rabbittest_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/rabbittest"
)

func TestPrefix(t *testing.T) {
	t.Parallel()
	t.Run("a b/c.d", func(t *testing.T) {
		t.Parallel()
		p := rabbittest.Prefix(t)
		require.Regexp(t, regexp.MustCompile(`^TestPrefix_a_b_c_d-[0-9a-f]{8}\.$`), p)
		require.NotEqual(t, p, rabbittest.Prefix(t))
	})
}

func TestURLSkipsWhenUnreachable(t *testing.T) {
	t.Setenv(rabbittest.EnvURL, "amqp://guest:guest@127.0.0.1:1/")
	t.Setenv("CI", "")
	var sub *testing.T
	t.Run("unreachable", func(t *testing.T) {
		sub = t
		rabbittest.URL(t)
		t.Error("URL returned for an unreachable broker")
	})
	require.True(t, sub.Skipped())
}

func TestTopology(t *testing.T) {
	t.Parallel()
	url := rabbittest.URL(t)
	top := rabbittest.Topology(t, url)
	require.Regexp(t, regexp.MustCompile(`^TestTopology-[0-9a-f]{8}\.amq\.topic$`), top.BusExchange)
	require.Regexp(t, regexp.MustCompile(`^TestTopology-[0-9a-f]{8}\.fmn\.work$`), top.WorkQueue)
}
