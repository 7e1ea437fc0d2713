package mailtest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/mailtest"
)

func TestVersionMatchesToolsModule(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "tools", "go.mod"))
	require.NoError(t, err)
	re := regexp.MustCompile(`(?m)^\s*github\.com/axllent/mailpit ` + regexp.QuoteMeta(mailtest.MailpitVersion) + `(\s|$)`)
	require.True(t, re.Match(b),
		"tools/go.mod must pin mailpit %s (or update MailpitVersion)", mailtest.MailpitVersion)
}

func TestStartAndSearch(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t)
	got, err := s.Search(t.Context(), "to:nobody@example.org")
	require.NoError(t, err)
	require.Empty(t, got)
}
