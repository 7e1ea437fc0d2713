package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr returns the address a request is counted under: the peer's, or, when the peer is a
// trusted proxy, the right-most address of X-Forwarded-For that is not itself a trusted proxy
// (addresses left of it were written by the client and prove nothing).
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer, trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a proxy wrote garbage: go no further than the last good hop
		}
		if !isTrusted(a, trusted) {
			return a.Unmap().String()
		}
		peer = a
	}
	return peer.Unmap().String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
