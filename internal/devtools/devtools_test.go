package devtools_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/devtools"
)

// TestMailpitVersionMatchesToolsModule keeps MailpitVersion in step with tools/go.mod.
func TestMailpitVersionMatchesToolsModule(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "tools", "go.mod"))
	require.NoError(t, err)
	re := regexp.MustCompile(`(?m)^\s*github\.com/axllent/mailpit ` + regexp.QuoteMeta(devtools.MailpitVersion) + `(\s|$)`)
	require.True(t, re.Match(b),
		"tools/go.mod must pin mailpit %s (or update MailpitVersion)", devtools.MailpitVersion)
}

// TestErgoVersionPinned keeps ErgoVersion in step with tools/go.mod.
func TestErgoVersionPinned(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "tools", "go.mod"))
	require.NoError(t, err)
	re := regexp.MustCompile(`(?m)^\s*github\.com/ergochat/ergo ` + regexp.QuoteMeta(devtools.ErgoVersion) + `(\s|$)`)
	require.True(t, re.Match(b), "tools/go.mod must pin ergo %s (or update ErgoVersion)", devtools.ErgoVersion)
}
