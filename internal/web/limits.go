package web

import (
	"net/netip"
	"strings"
	"time"

	"fmn/internal/config"
	"fmn/pkg/prefs"
)

// DefaultPreviewRateLimit is how many previews a user may run a minute (FMN_WEB_PREVIEW_RATE_LIMIT):
// each one reads up to preview.Window archived messages and runs the filter over all of them, so
// a script repeating it would load the database for everyone; a person editing a filter
// previews a few times a minute.
const DefaultPreviewRateLimit = 10

// previewRateWindow is the preview limit's window.
const previewRateWindow = time.Minute

// Limits are the web app's quotas and rate limits beyond the API's request rate.
type Limits struct {
	// Quotas bound what one user can create or set off (config.ReadQuotas names the variables).
	Quotas prefs.Quotas
	// PreviewRate is how many previews a user may run per minute (FMN_WEB_PREVIEW_RATE_LIMIT,
	// default DefaultPreviewRateLimit, 0 for no limit).
	PreviewRate int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is believed: requests from
	// them are counted under the client address the proxy names (FMN_WEB_TRUSTED_PROXIES,
	// comma-separated addresses or CIDR prefixes; none by default, when every request is counted
	// under the address it came from).
	TrustedProxies []netip.Prefix
}

// readLimits reads Limits from the environment.
func readLimits(r *config.Reader) Limits {
	l := Limits{
		Quotas:      config.ReadQuotas(r),
		PreviewRate: r.Int("FMN_WEB_PREVIEW_RATE_LIMIT", DefaultPreviewRateLimit),
	}
	for _, s := range r.List("FMN_WEB_TRUSTED_PROXIES", nil) {
		p, err := parsePrefix(s)
		if err != nil {
			r.Fail("FMN_WEB_TRUSTED_PROXIES", "%q is not an address or CIDR prefix such as 10.0.0.0/8", s)
			continue
		}
		l.TrustedProxies = append(l.TrustedProxies, p)
	}
	return l
}

// DefaultLimits returns the limits LoadConfig gives when nothing is set.
func DefaultLimits() Limits {
	return Limits{Quotas: prefs.DefaultQuotas(), PreviewRate: DefaultPreviewRateLimit}
}

// parsePrefix reads an address ("10.0.0.1", a prefix of one address) or a CIDR prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
