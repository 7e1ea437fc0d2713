package rules

import (
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

// addCompiled adds the compiled matcher to a test's matchers.
func addCompiled(t *testing.T, s *Snapshot, out map[string]func(*message.Message) []Match) {
	t.Helper()
	c, err := Compile(s)
	require.NoError(t, err)
	out["compiled"] = func(m *message.Message) []Match { return c.Match(m, testNow) }
}
