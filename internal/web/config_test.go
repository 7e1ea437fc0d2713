package web

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/prefs"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultFiltersAreConfigurable(t *testing.T) {
	t.Parallel()
	base := map[string]string{"FMN_SSE_SECRET": "0123456789abcdef0123456789abcdef"}
	c, err := LoadConfig(env(base))
	require.NoError(t, err)
	require.Equal(t, prefs.DefaultFilters(), c.DefaultFilters)

	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	require.NoError(t, os.WriteFile(good, []byte(`[{"name":"bodhi","enabled":true,"conditions":[{"field":"app","values":["bodhi"]}]}]`), 0o600))
	base["FMN_DEFAULT_FILTERS_FILE"] = good
	c, err = LoadConfig(env(base))
	require.NoError(t, err)
	require.Len(t, c.DefaultFilters, 1)
	require.Equal(t, "bodhi", c.DefaultFilters[0].Name)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`[{"name":"x","conditions":[{"field":"colour","values":["red"]}]}]`), 0o600))
	base["FMN_DEFAULT_FILTERS_FILE"] = bad
	_, err = LoadConfig(env(base))
	require.ErrorContains(t, err, "FMN_DEFAULT_FILTERS_FILE")
}

// The login, session and status settings are read, with secure defaults.
func TestWebSettings(t *testing.T) {
	t.Parallel()
	base := map[string]string{"FMN_SSE_SECRET": "0123456789abcdef0123456789abcdef"}
	c, err := LoadConfig(env(base))
	require.NoError(t, err)
	require.False(t, c.DevLogin, "the development login is off unless asked for")
	require.False(t, c.OIDC.Enabled())
	require.False(t, c.CookieSecure, "plain http by default (loopback)")
	require.Equal(t, "http://127.0.0.1:8080", c.PublicURL)

	c, err = LoadConfig(env(map[string]string{"FMN_SSE_SECRET": base["FMN_SSE_SECRET"],
		"FMN_PUBLIC_URL": "https://fmn.example.org/", "FMN_OIDC_ISSUER": "https://id.example.org",
		"FMN_OIDC_CLIENT_ID": "fmn", "FMN_OIDC_REDIRECT_URL": "https://fmn.example.org/auth/callback",
		"FMN_WEB_ADMINS": "alice,bob", "FMN_RABBITMQ_API_URL": "http://guest:guest@127.0.0.1:15672"}))
	require.NoError(t, err)
	require.True(t, c.OIDC.Enabled())
	require.Equal(t, "fmn", c.OIDC.ClientID)
	require.True(t, c.CookieSecure, "https sites get Secure cookies")
	require.Equal(t, "https://fmn.example.org", c.PublicURL)
	require.Equal(t, []string{"alice", "bob"}, c.Admins)
	require.NotEmpty(t, c.Status.APIURL)

	_, err = LoadConfig(env(map[string]string{"FMN_SSE_SECRET": base["FMN_SSE_SECRET"], "FMN_PUBLIC_URL": "fmn.example.org/x"}))
	require.ErrorContains(t, err, "FMN_PUBLIC_URL")
}

// The web app refuses to start on a placeholder, short or shared secret, naming the variable,
// and starts on proper ones.
func TestLoadConfigRefusesWeakSecrets(t *testing.T) {
	t.Parallel()
	const (
		sse   = "Zk3q9Vb1mR7tXw2Lp8Hs4Nc6Jd0Yf5GaQe"
		mute  = "b8Qw2Er5Ty7Ui9Op1As3Df6Gh4Jk0LzXcV"
		admin = "Mn4Bv6Cx8Zl1Kj3Hg5Fd7Sa9Po2Iu0YtRe"
	)
	c, err := LoadConfig(env(map[string]string{"FMN_SSE_SECRET": sse, "FMN_MUTE_SECRET": mute, "FMN_WEB_ADMIN_TOKEN": admin}))
	require.NoError(t, err)
	require.Equal(t, admin, c.AdminToken.Value())

	_, err = LoadConfig(env(map[string]string{
		"FMN_SSE_SECRET":      "change-me-to-32-or-more-random-bytes!!", // docker-compose.yml's old default
		"FMN_MUTE_SECRET":     "too-short",
		"FMN_WEB_ADMIN_TOKEN": "change-me",
	}))
	require.ErrorContains(t, err, `FMN_SSE_SECRET: is a placeholder (contains "change-me"); generate one with: openssl rand -base64 48`)
	require.ErrorContains(t, err, "FMN_MUTE_SECRET: is 9 bytes, shorter than the 32 required")
	require.ErrorContains(t, err, "FMN_WEB_ADMIN_TOKEN: is a placeholder")
	require.NotContains(t, err.Error(), "too-short", "secrets are never quoted")

	_, err = LoadConfig(env(map[string]string{"FMN_SSE_SECRET": sse, "FMN_MUTE_SECRET": sse}))
	require.ErrorContains(t, err, "FMN_MUTE_SECRET: is the same as FMN_SSE_SECRET")

	_, err = LoadConfig(env(nil))
	require.ErrorContains(t, err, "FMN_SSE_SECRET: must be set")
}
