package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/web"
	"fmn/pkg/prefs"
)

// greedyGlobs is a topic condition of n patterns that all start with a wildcard: the kind the
// matcher tries one by one against every message.
func greedyGlobs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("*o*r*g*%d*", i)
	}
	return out
}

// A greedy account is held to its quotas through the pages and the API alike: filters past the
// per-user count, and topic patterns starting with a wildcard past theirs, are refused with a
// message naming the limit (422 and the limit in the JSON), and nothing past them is stored.
func TestGreedyUserIsRefusedAtTheQuotas(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb(func(c *web.Config) {
		c.Limits.Quotas = prefs.Quotas{FiltersPerUser: 6, LeadingWildcardsPerUser: 3}
	})
	greedy := s.login("greedy")
	have := len(s.filters("greedy")) // the default filters count too
	require.Less(t, have, 5)

	pageFilter := func(values ...string) url.Values {
		return url.Values{"name": {"greedy"}, "n": {"1"}, "c0.field": {"topic"}, "c0.values": {strings.Join(values, "\n")}, "action": {"save"}}
	}
	apiFilter := func(values ...string) string {
		b, err := json.Marshal(map[string]any{"name": "greedy", "destinations": []int{},
			"conditions": []map[string]any{{"field": "topic", "values": values}}})
		require.NoError(t, err)
		return string(b)
	}

	// Patterns: three are allowed, a filter bringing a fourth is refused on the page and in the API.
	status, _ := greedy.post("/filters/new", pageFilter(greedyGlobs(3)...))
	require.Equal(t, http.StatusSeeOther, status)
	have++
	status, body := greedy.post("/filters/new", pageFilter("*.bodhi.update.comment"))
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "at most 3 topic patterns starting with a wildcard per user")
	status, body = greedy.api("POST", "/api/v1/users/greedy/filters", apiFilter("*.bodhi.update.comment"))
	require.Equal(t, http.StatusUnprocessableEntity, status, body)
	var refusal struct {
		Error string `json:"error"`
		Quota string `json:"quota"`
		Limit int    `json:"limit"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &refusal))
	require.Equal(t, "topic patterns starting with a wildcard per user", refusal.Quota)
	require.Equal(t, 3, refusal.Limit)
	// A pattern with a fixed start is fine.
	status, _ = greedy.post("/filters/new", pageFilter("org.fedoraproject.prod.bodhi.*"))
	require.Equal(t, http.StatusSeeOther, status)
	have++

	// Filters: up to six, then refused both ways.
	for ; have < 6; have++ {
		status, body = greedy.api("POST", "/api/v1/users/greedy/filters", apiFilter(fmt.Sprintf("org.fedoraproject.prod.t%d", have)))
		require.Equal(t, http.StatusCreated, status, body)
	}
	status, body = greedy.post("/filters/new", pageFilter("org.fedoraproject.prod.more"))
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "The filter was not saved: limit reached: at most 6 filters per user")
	status, body = greedy.api("POST", "/api/v1/users/greedy/filters", apiFilter("org.fedoraproject.prod.more"))
	require.Equal(t, http.StatusUnprocessableEntity, status, body)
	require.Contains(t, body, `"quota":"filters per user"`)
	require.Equal(t, 6, len(s.filters("greedy")))
}

// Page POSTs count against the same per-user rate as the API: past it, a page answers 429 with
// Retry-After and a page saying so, and nothing is written.
func TestPagePostsAreRateLimited(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.webClock = frozenClock()
	s.startWeb(func(c *web.Config) { c.APIRateLimit, c.APIRateWindow = 4, time.Hour })
	alice := s.login("alice")
	form := url.Values{"name": {"spam"}, "n": {"1"}, "c0.field": {"user"}, "c0.values": {"@me"}, "action": {"save"}}
	for i := range 3 {
		status, _ := alice.post("/filters/new", form)
		require.Equal(t, http.StatusSeeOther, status, "page POST %d", i+1)
	}
	status, _ := alice.api("GET", "/api/v1/me", "")
	require.Equal(t, http.StatusOK, status, "the API shares the count: the fourth request")
	req, err := http.NewRequest("POST", alice.base+"/filters/new", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := alice.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))

	var n int
	require.NoError(t, s.pool.QueryRow(t.Context(), `SELECT count(*) FROM filters f JOIN users u ON u.id = f.user_id
		WHERE u.name = 'alice' AND f.name = 'spam'`).Scan(&n))
	require.Equal(t, 3, n)
}

// frozenClock is a clock that stays where it started, so a rate window cannot end in the middle
// of a test.
func frozenClock() func() time.Time {
	t0 := time.Now()
	return func() time.Time { return t0 }
}

// With the rate limit at one request per window, every route of the web app refuses the second
// request from the same client: none is unlimited. Each route is tried from its own address
// (through a trusted proxy's X-Forwarded-For), with no login, which is how an attacker would
// hammer it.
func TestNoRouteIsUnlimited(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.webClock = frozenClock()
	s.startWeb(func(c *web.Config) {
		c.APIRateLimit, c.APIRateWindow = 1, time.Minute
		c.Limits.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path, addr string) int {
		req, err := http.NewRequest(method, s.webURL+path, strings.NewReader("{}"))
		require.NoError(t, err)
		req.Header.Set("X-Forwarded-For", addr)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	patterns := web.RoutePatterns()
	require.Greater(t, len(patterns), 40)
	for i, pattern := range patterns {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.ReplaceAll(path, "{$}", "")
		for strings.Contains(path, "{") {
			a, b := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:a] + "1" + path[b+1:]
		}
		addr := fmt.Sprintf("198.51.%d.%d", i/256, i%256)
		first := send(method, path, addr)
		require.NotEqual(t, http.StatusTooManyRequests, first, "%s: the first request", pattern)
		require.Equal(t, http.StatusTooManyRequests, send(method, path, addr), "%s: the second request within the window", pattern)
	}
}

// Twenty add/delete cycles of somebody else's address send it the per-address quota of
// confirmation emails (3), not twenty; the page says why the others were not sent.
func TestConfirmationSpamIsCapped(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.mail = mailtest.Start(t)
	s.startWeb()
	s.startBackend(nil)
	mallory := s.login("mallory")
	refused := 0
	for range 20 {
		status, _ := mallory.post("/destinations", url.Values{"kind": {"email"}, "address": {"victim@example.org"}})
		require.Equal(t, http.StatusSeeOther, status)
		_, page := mallory.get("/destinations")
		if strings.Contains(page, "no confirmation was sent: limit reached: at most 3 confirmations per address per hour") {
			refused++
		}
		status, _ = mallory.post(fmt.Sprintf("/destinations/%d/delete", s.destination("mallory", "email", "victim@example.org").ID), nil)
		require.Equal(t, http.StatusSeeOther, status)
	}
	require.Equal(t, 17, refused)
	// A confirmation to another address, sent after all of them, marks the end of the queue.
	status, _ := mallory.post("/destinations", url.Values{"kind": {"email"}, "address": {"marker@example.org"}})
	require.Equal(t, http.StatusSeeOther, status)
	s.mail.WaitFor(t, "to:marker@example.org", 1)
	got := s.mail.WaitFor(t, "to:victim@example.org", 3)
	require.Len(t, got, 3, "the victim's inbox holds the quota of confirmations")
}

// The regular-expression budget, and the one for topic patterns with nothing fixed to look them
// up by, are refused on the page with a message naming the limit, and in the API with the quota
// in the JSON.
func TestRegexpAndUnindexedBudgetsAreRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb(func(c *web.Config) {
		c.Limits.Quotas = prefs.Quotas{RegexpsPerUser: 1, UnindexedPerUser: 1}
	})
	greedy := s.login("greedy")
	regexpFilter := func(expr string) url.Values {
		return url.Values{"name": {"titles"}, "n": {"1"}, "c0.field": {"body"}, "c0.path": {"title"}, "c0.op": {"regex"},
			"c0.values": {expr}, "action": {"save"}}
	}
	status, _ := greedy.post("/filters/new", regexpFilter("^kernel-"))
	require.Equal(t, http.StatusSeeOther, status)
	status, body := greedy.post("/filters/new", regexpFilter("^glibc-"))
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "The filter was not saved: limit reached: at most 1 regular expressions per user: this change would make 2")

	topicFilter := url.Values{"name": {"all"}, "n": {"1"}, "c0.field": {"topic"}, "c0.values": {"*\n*a*"}, "action": {"save"}}
	status, body = greedy.post("/filters/new", topicFilter)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "at most 1 topic patterns starting with a wildcard with no fixed word or 3 fixed characters in a row, per user")
	b, err := json.Marshal(map[string]any{"name": "all", "destinations": []int{},
		"conditions": []map[string]any{{"field": "topic", "values": []string{"*", "*a*"}}}})
	require.NoError(t, err)
	status, body = greedy.api("POST", "/api/v1/users/greedy/filters", string(b))
	require.Equal(t, http.StatusUnprocessableEntity, status, body)
	require.Contains(t, body, `"limit":1`)
}
