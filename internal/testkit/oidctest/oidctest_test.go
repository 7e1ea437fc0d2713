package oidctest_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/oidctest"
)

func TestVersionMatchesToolsModule(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "tools", "go.mod"))
	require.NoError(t, err)
	re := regexp.MustCompile(`(?m)^\s*github\.com/zitadel/oidc/v3 ` + regexp.QuoteMeta(oidctest.ZitadelVersion) + `(\s|$)`)
	require.True(t, re.Match(b),
		"tools/go.mod must pin zitadel/oidc %s (or update ZitadelVersion)", oidctest.ZitadelVersion)
}

func TestVersionHashesTheSource(t *testing.T) {
	t.Parallel()
	v, err := oidctest.Version()
	require.NoError(t, err)
	require.Regexp(t, `^`+regexp.QuoteMeta(oidctest.ZitadelVersion)+`-[0-9a-f]{12}$`, v)
}

// TestVersionMatchesToolsScript runs scripts/tools.sh's hash line: the binary it builds must be
// the one Start looks for.
func TestVersionMatchesToolsScript(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile(filepath.Join("..", "..", "..", "scripts", "tools.sh"))
	require.NoError(t, err)
	line := regexp.MustCompile(`(?m)^devoidc_hash=.*$`).Find(script)
	require.NotNil(t, line, "scripts/tools.sh has no devoidc_hash= line")
	cmd := exec.Command("bash", "-c", "set -euo pipefail; "+string(line)+`; echo -n "$devoidc_hash"`)
	cmd.Dir = filepath.Join("..", "..", "..", "tools")
	out, err := cmd.Output()
	require.NoError(t, err)
	v, err := oidctest.Version()
	require.NoError(t, err)
	require.Equal(t, oidctest.ZitadelVersion+"-"+string(out), v)
}

func TestStartServesDiscovery(t *testing.T) {
	t.Parallel()
	s := oidctest.Start(t, "http://127.0.0.1:1/auth/callback")
	resp, err := http.Get(s.Issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "127.0.0.1", resp.Request.URL.Hostname())
}
