package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"fmn/internal/config"
	"fmn/internal/ratelimit"
	"fmn/pkg/prefs"
)

// DefaultPreviewRateLimit is how many previews a user may run a minute (FMN_WEB_PREVIEW_RATE_LIMIT):
// each one reads up to previewWindow archived messages and runs the filter over all of them, so
// a script repeating it would load the database for everyone; a person editing a filter
// previews a few times a minute.
const DefaultPreviewRateLimit = 10

// previewRateWindow is the preview limit's window.
const previewRateWindow = time.Minute

// Limits are the web app's quotas and rate limits beyond the API's request rate.
type Limits struct {
	// Quotas bound what one user can create or set off (FMN_QUOTA_FILTERS, FMN_QUOTA_VALUES,
	// FMN_QUOTA_LEADING_WILDCARDS, FMN_QUOTA_DESTINATIONS, FMN_QUOTA_API_TOKENS, FMN_QUOTA_CONFIRMATIONS_PER_USER,
	// FMN_QUOTA_CONFIRMATIONS_PER_ADDRESS; defaults prefs.DefaultQuotas, 0 for no limit).
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
	d := prefs.DefaultQuotas()
	l := Limits{
		Quotas: prefs.Quotas{
			FiltersPerUser:          r.Int("FMN_QUOTA_FILTERS", d.FiltersPerUser),
			ValuesPerUser:           r.Int("FMN_QUOTA_VALUES", d.ValuesPerUser),
			LeadingWildcardsPerUser: r.Int("FMN_QUOTA_LEADING_WILDCARDS", d.LeadingWildcardsPerUser),
			DestinationsPerUser:     r.Int("FMN_QUOTA_DESTINATIONS", d.DestinationsPerUser),
			TokensPerUser:           r.Int("FMN_QUOTA_API_TOKENS", d.TokensPerUser),
			ConfirmationsPerUser:    r.Int("FMN_QUOTA_CONFIRMATIONS_PER_USER", d.ConfirmationsPerUser),
			ConfirmationsPerAddress: r.Int("FMN_QUOTA_CONFIRMATIONS_PER_ADDRESS", d.ConfirmationsPerAddress),
		},
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

// limitError refuses a request past a rate limit: 429 with Retry-After.
type limitError struct {
	msg        string
	retryAfter time.Duration
}

func (e *limitError) Error() string { return e.msg }

// retryAfter returns how long the client should wait before trying again when err is a refusal
// past a rate limit or a timed quota.
func retryAfter(err error) (time.Duration, bool) {
	var le *limitError
	if errors.As(err, &le) {
		return le.retryAfter, true
	}
	var qe *prefs.QuotaError
	if errors.As(err, &qe) && qe.RetryAfter > 0 {
		return qe.RetryAfter, true
	}
	return 0, false
}

// setRetryAfter sets the Retry-After header, in whole seconds (at least 1), when err calls for
// one.
func setRetryAfter(w http.ResponseWriter, err error) {
	if d, ok := retryAfter(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
	}
}

// checkRate counts a request under key and returns a *limitError past the request rate. When
// Redis cannot count, the request goes through.
func (h *handler) checkRate(ctx context.Context, key string) error {
	return h.checkLimit(ctx, h.apiRate, "api:"+key, func(limit int, window time.Duration, wait int) string {
		return fmt.Sprintf("rate limit: %d requests per %s; retry after %d s", limit, window, wait)
	})
}

// checkPreviewRate counts one preview run of user's and returns a *limitError past the preview
// rate.
func (h *handler) checkPreviewRate(ctx context.Context, user string) error {
	return h.checkLimit(ctx, h.previewRate, "preview:user:"+user, func(limit int, _ time.Duration, wait int) string {
		return fmt.Sprintf("previews are limited to %d a minute; try again in %d s", limit, wait)
	})
}

// checkLimit counts one event under key on l and, past its limit, returns a *limitError with the
// message say builds from the limit, its window and the seconds to wait. When Redis cannot count,
// the event is allowed.
func (h *handler) checkLimit(ctx context.Context, l *ratelimit.Limiter, key string, say func(limit int, window time.Duration, wait int) string) error {
	now := h.now()
	ok, err := l.Allow(ctx, key, now)
	if err != nil {
		h.logger.WarnContext(ctx, "rate limit unavailable; allowing", "key", strings.SplitN(key, ":", 2)[0], "error", err)
	}
	if ok {
		return nil
	}
	limit, window := l.Limit()
	wait := l.RetryAfter(now)
	return &limitError{retryAfter: wait, msg: say(limit, window, max(1, int(math.Ceil(wait.Seconds()))))}
}
