package oidctest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/oidctest"
)

func TestVersionMatchesToolsModule(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "tools", "go.mod"))
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

func TestStartServesDiscovery(t *testing.T) {
	t.Parallel()
	s := oidctest.Start(t, "http://127.0.0.1:1/auth/callback")
	resp, err := http.Get(s.Issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "127.0.0.1", resp.Request.URL.Hostname())
}
