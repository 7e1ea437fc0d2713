package web

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/config"
	"fmn/pkg/prefs"
)

func TestReadLimits(t *testing.T) {
	t.Parallel()
	r := config.NewReader(env(nil))
	require.Equal(t, DefaultLimits(), readLimits(r))
	require.NoError(t, r.Err())

	r = config.NewReader(env(map[string]string{"FMN_QUOTA_FILTERS": "7", "FMN_QUOTA_CONFIRMATIONS_PER_ADDRESS": "0",
		"FMN_WEB_PREVIEW_RATE_LIMIT": "2", "FMN_WEB_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"}))
	l := readLimits(r)
	require.NoError(t, r.Err())
	want := prefs.DefaultQuotas()
	want.FiltersPerUser, want.ConfirmationsPerAddress = 7, 0
	require.Equal(t, want, l.Quotas)
	require.Equal(t, 2, l.PreviewRate)
	require.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}, l.TrustedProxies)

	r = config.NewReader(env(map[string]string{"FMN_WEB_TRUSTED_PROXIES": "proxy.example.org"}))
	readLimits(r)
	require.ErrorContains(t, r.Err(), "FMN_WEB_TRUSTED_PROXIES")
}
