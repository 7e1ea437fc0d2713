package rules

import (
	"testing"

	"fmn/pkg/message"
)

// addCompiled adds the compiled matcher to a test's matchers once it exists.
func addCompiled(t *testing.T, s *Snapshot, out map[string]func(*message.Message) []Match) {
	t.Helper()
}
