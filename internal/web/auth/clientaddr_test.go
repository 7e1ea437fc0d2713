package auth

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClientAddr(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	for name, tc := range map[string]struct {
		remote string
		xff    []string
		want   string
	}{
		// No proxy in front: the peer, whatever the header claims.
		"untrusted peer": {"203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		// A trusted proxy: the address it saw.
		"one proxy": {"10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		// The client wrote the left part; the right-most untrusted hop is the one the proxies saw.
		"spoofed left part": {"10.1.2.3:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		// Two proxies, each adding a hop; the header may come as several lines.
		"two proxies": {"10.1.2.3:4000", []string{"198.51.100.1", "10.9.9.9"}, "198.51.100.1"},
		// A trusted proxy that sent no header: the proxy itself.
		"no header": {"10.1.2.3:4000", nil, "10.1.2.3"},
		// Garbage stops the walk at the last good hop.
		"garbage": {"10.1.2.3:4000", []string{"nonsense, 10.4.4.4"}, "10.4.4.4"},
		// IPv6 and IPv4-mapped forms.
		"ipv6 proxy":  {"[::1]:4000", []string{"::ffff:198.51.100.7"}, "198.51.100.7"},
		"ipv6 client": {"[::1]:4000", []string{"2001:db8::1"}, "2001:db8::1"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			require.Equal(t, tc.want, clientAddr(r, proxies))
		})
	}
}
