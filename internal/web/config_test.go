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
