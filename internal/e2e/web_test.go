package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/notify/sse"
	"fmn/internal/oidclogin"
	"fmn/internal/testkit/oidctest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/testkit/testproc"
	"fmn/internal/web"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// browser is a cookie-keeping HTTP client logged in to the web app, as a person's browser is.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

// login logs in as name through the development login (creating the user).
func (s *stack) login(name string) *browser {
	s.t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(s.t, err)
	b := &browser{t: s.t, base: s.webURL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	status, _ := b.post("/login/dev", url.Values{"name": {name}})
	require.Equal(s.t, http.StatusSeeOther, status)
	return b
}

func (b *browser) do(req *http.Request) (int, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return resp.StatusCode, string(body)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

// post submits a form as a same-origin page would.
func (b *browser) post(path string, form url.Values, headers ...string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

// api calls the JSON API with the browser's session.
func (b *browser) api(method, path, body string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/json")
	return b.do(req)
}

// The pages work for a logged-in user: filters from a preset, with an inline validation error
// first; destinations; API tokens that then work on the API.
func TestPagesEditFiltersDestinationsAndTokens(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()

	// Not logged in: pages send to the login page; the API answers 401.
	anon := &browser{t: t, base: s.webURL, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	status, _ := anon.get("/filters")
	require.Equal(t, http.StatusSeeOther, status)
	status, _ = anon.api("GET", "/api/v1/me", "")
	require.Equal(t, http.StatusUnauthorized, status)

	alice := s.login("alice")
	status, body := alice.get("/filters")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Events about me", "a new user starts with the default filters")

	status, body = alice.get("/filters/new?preset=follow")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `value="artifact" selected`)

	form := url.Values{"name": {"kernel things"}, "enabled": {"1"}, "n": {"2"},
		"c0.field": {"artifact"}, "c0.op": {"in"}, "c0.values": {""},
		"c1.field": {"agent"}, "c1.op": {"in"}, "c1.values": {"@me"}, "c1.negate": {"1"}, "action": {"save"}}
	status, body = alice.post("/filters/new", form)
	require.Equal(t, http.StatusUnprocessableEntity, status, "a condition without values is refused inline")
	require.Contains(t, body, "condition 0 (artifact): no values")
	require.Contains(t, body, `class="invalid"`)

	form.Set("c0.values", "kernel, glibc")
	status, _ = alice.post("/filters/new", form)
	require.Equal(t, http.StatusSeeOther, status)
	status, body = alice.get("/filters")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "kernel things")
	require.Contains(t, body, "an involved artifact is one of kernel, glibc")

	status, _ = alice.post("/destinations", url.Values{"kind": {"email"}, "address": {"alice@example.org"}, "format": {"short"}})
	require.Equal(t, http.StatusSeeOther, status)
	status, body = alice.get("/destinations")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "alice@example.org")
	require.Contains(t, body, "unconfirmed")
	status, body = alice.post("/destinations", url.Values{"kind": {"email"}, "address": {"x\r\nBcc: y@example.org"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, `role="alert"`)

	status, body = alice.post("/tokens", url.Values{"name": {"my script"}})
	require.Equal(t, http.StatusCreated, status)
	token := between(t, body, `<pre id="new-token">`, `</pre>`)
	require.True(t, strings.HasPrefix(token, "fmn_"), token)
	req, err := http.NewRequest("GET", s.webURL+"/api/v1/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	status, body = anon.do(req)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"name":"alice"`)

	// Logged out, the session is gone.
	status, _ = alice.post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, status)
	status, _ = alice.get("/filters")
	require.Equal(t, http.StatusSeeOther, status)
}

// between returns the text of s between before and after.
func between(t *testing.T, s, before, after string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, before)
	require.True(t, ok, "no %q in %s", before, s)
	out, _, ok := strings.Cut(rest, after)
	require.True(t, ok, "no %q after %q", after, before)
	return out
}

// Cross-origin state changes are refused, whatever the session: the CSRF defence.
func TestCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	alice := s.login("alice")
	for name, hdr := range map[string][]string{
		"cross-site fetch":    {"Sec-Fetch-Site", "cross-site"},
		"foreign origin":      {"Sec-Fetch-Site", "", "Origin", "http://evil.example"},
		"same-site subdomain": {"Sec-Fetch-Site", "same-site"},
	} {
		status, _ := alice.post("/tokens", url.Values{"name": {"stolen"}}, hdr...)
		require.Equal(t, http.StatusForbidden, status, name)
	}
	status, body := alice.get("/tokens")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, "stolen")
	require.Contains(t, body, "No tokens.")
}

// No page or API route lets one user read or change another's filters, destinations, tokens or
// stream: every attempt is refused and bob's preferences are as they were.
func TestUsersCannotTouchEachOthersPreferences(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	alice, bob := s.login("alice"), s.login("bob")
	status, _ := bob.post("/destinations", url.Values{"kind": {"irc"}, "address": {"bobnick"}})
	require.Equal(t, http.StatusSeeOther, status)
	status, _ = bob.post("/tokens", url.Values{"name": {"bob's"}})
	require.Equal(t, http.StatusCreated, status)

	var bobs struct {
		Filters []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"filters"`
		Destinations []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"destinations"`
		Tokens []struct {
			ID int64 `json:"id"`
		} `json:"tokens"`
	}
	snapshot := func() string {
		var out strings.Builder
		for _, p := range []string{"/api/v1/users/bob/filters", "/api/v1/users/bob/destinations", "/api/v1/users/bob/tokens"} {
			status, body := bob.api("GET", p, "")
			require.Equal(t, http.StatusOK, status)
			out.WriteString(body)
		}
		return out.String()
	}
	before := snapshot()
	for _, p := range []string{"/api/v1/users/bob/filters", "/api/v1/users/bob/destinations", "/api/v1/users/bob/tokens"} {
		_, body := bob.api("GET", p, "")
		require.NoError(t, jsonUnmarshal(body, &bobs))
	}
	require.NotEmpty(t, bobs.Filters)
	require.Len(t, bobs.Destinations, 2)
	require.Len(t, bobs.Tokens, 1)
	f, d, tok := bobs.Filters[0].ID, bobs.Destinations[1].ID, bobs.Tokens[0].ID

	api := []attempt{
		{"GET", "/api/v1/users/bob", ""},
		{"DELETE", "/api/v1/users/bob", ""},
		{"GET", "/api/v1/users/bob/filters", ""},
		{"GET", fmt.Sprintf("/api/v1/users/bob/filters/%d", f), ""},
		{"PUT", fmt.Sprintf("/api/v1/users/bob/filters/%d", f), `{"name":"x","conditions":[{"field":"user","values":["@me"]}],"destinations":[]}`},
		{"DELETE", fmt.Sprintf("/api/v1/users/bob/filters/%d", f), ""},
		{"POST", "/api/v1/users/bob/filters", `{"name":"x","conditions":[{"field":"user","values":["@me"]}],"destinations":[]}`},
		{"GET", "/api/v1/users/bob/destinations", ""},
		{"POST", "/api/v1/users/bob/destinations", `{"kind":"email","address":"a@example.org"}`},
		{"PATCH", fmt.Sprintf("/api/v1/users/bob/destinations/%d", d), `{"enabled":false}`},
		{"DELETE", fmt.Sprintf("/api/v1/users/bob/destinations/%d", d), ""},
		{"POST", fmt.Sprintf("/api/v1/users/bob/destinations/%d/confirm", d), ""},
		{"GET", "/api/v1/users/bob/tokens", ""},
		{"POST", "/api/v1/users/bob/tokens", `{"name":"x"}`},
		{"DELETE", fmt.Sprintf("/api/v1/users/bob/tokens/%d", tok), ""},
		{"POST", "/api/v1/users/bob/stream-token", ""},
		// Through alice's own paths, with bob's ids.
		{"GET", fmt.Sprintf("/api/v1/users/alice/filters/%d", f), ""},
		{"PUT", fmt.Sprintf("/api/v1/users/alice/filters/%d", f), `{"name":"x","conditions":[{"field":"user","values":["@me"]}],"destinations":[]}`},
		{"DELETE", fmt.Sprintf("/api/v1/users/alice/filters/%d", f), ""},
		{"PATCH", fmt.Sprintf("/api/v1/users/alice/destinations/%d", d), `{"enabled":false}`},
		{"DELETE", fmt.Sprintf("/api/v1/users/alice/destinations/%d", d), ""},
		{"DELETE", fmt.Sprintf("/api/v1/users/alice/tokens/%d", tok), ""},
		{"POST", "/api/v1/users/alice/filters", fmt.Sprintf(`{"name":"x","conditions":[{"field":"user","values":["@me"]}],"destinations":[%d]}`, d)},
		{"POST", fmt.Sprintf("/api/v1/users/bob/destinations/%d/send-confirmation", d), ""},
		{"POST", "/api/v1/users/bob/filters/preview", `{"name":"x","conditions":[{"field":"user","values":["@me"]}]}`},
		// Administrators only.
		{"GET", "/api/v1/admin/users", ""},
		{"GET", "/api/v1/admin/status", ""},
		{"GET", "/api/v1/admin/dead-letters", ""},
		{"GET", "/api/v1/admin/dead-letters/1", ""},
		{"POST", "/api/v1/admin/dead-letters/1/redrive", ""},
		{"DELETE", "/api/v1/admin/dead-letters/1", ""},
		{"POST", "/api/v1/users", `{"name":"carol"}`},
		{"POST", "/api/v1/ownership", `{"owners":[]}`},
	}
	for _, a := range api {
		status, body := alice.api(a.method, a.path, a.body)
		require.GreaterOrEqual(t, status, 400, "%s %s: %s", a.method, a.path, body)
	}
	pages := []attempt{
		{"GET", fmt.Sprintf("/filters/%d", f), ""},
		{"POST", fmt.Sprintf("/filters/%d", f), "name=x&n=1&c0.field=user&c0.values=%40me&action=save"},
		{"POST", fmt.Sprintf("/filters/%d/disable", f), ""},
		{"POST", fmt.Sprintf("/filters/%d/delete", f), ""},
		{"POST", "/filters/new", fmt.Sprintf("name=x&n=1&c0.field=user&c0.values=%%40me&dest=%d&action=save", d)},
		{"POST", fmt.Sprintf("/destinations/%d", d), "enabled=0&format=short"},
		{"POST", fmt.Sprintf("/destinations/%d/delete", d), ""},
		{"POST", fmt.Sprintf("/filters/%d/enable", f), ""},
		{"POST", fmt.Sprintf("/destinations/%d/confirm", d), "code=ABCD2345"},
		{"POST", fmt.Sprintf("/destinations/%d/send-confirmation", d), ""},
		{"POST", fmt.Sprintf("/tokens/%d/delete", tok), ""},
		{"GET", "/admin/status", ""},
		{"GET", "/admin/users", ""},
		{"GET", "/admin/dead-letters", ""},
		{"POST", "/admin/dead-letters/1/redrive", ""},
		{"POST", "/admin/dead-letters/1/delete", ""},
	}
	// The "why" page shows the caller's filters among those the link names, and skips others'.
	why := attempt{"GET", fmt.Sprintf("/why?message=none&filter=%d", f), ""}
	status, body := alice.get(why.path)
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, body, bobs.Filters[0].Name, "bob's filter is not shown to alice")
	requireEveryRouteTried(t, append(append(slices.Clone(api), pages...), why))
	for _, a := range pages {
		var status int
		var body string
		if a.method == "GET" {
			status, body = alice.get(a.path)
		} else {
			vals, err := url.ParseQuery(a.body)
			require.NoError(t, err)
			status, body = alice.post(a.path, vals)
		}
		require.GreaterOrEqual(t, status, 400, "%s %s: %s", a.method, a.path, body)
	}
	require.Equal(t, before, snapshot(), "bob's preferences changed")
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// attempt is one request of the authorization matrix.
type attempt struct{ method, path, body string }

// ownOrPublic are the routes that reach no other user's object and need no administrator: the
// authorization matrix has nothing to try on them. Every other route must be tried.
var ownOrPublic = map[string]string{
	"GET /api/v1/me":            "the caller's own account",
	"POST /api/v1/confirm":      "the confirmation secret is the authority",
	"GET /api/v1/messages":      "public history, like datagrepper",
	"GET /api/v1/messages/{id}": "public history",
	"GET /mute":                 "the signed mute token is the authority",
	"POST /mute":                "the signed mute token is the authority",
	"GET /static/":              "static files",
	"GET /{$}":                  "home page",
	"GET /api":                  "API documentation",
	"GET /login":                "login",
	"POST /login/dev":           "login (development)",
	"GET /login/oidc":           "login",
	"GET /auth/callback":        "login",
	"POST /logout":              "the caller's own session",
	"POST /logout/everywhere":   "the caller's own sessions and streams",
	"GET /filters":              "the caller's own list",
	"GET /filters/new":          "an empty form",
	"GET /destinations":         "the caller's own list",
	"POST /destinations":        "creates the caller's own",
	"GET /confirm/{secret}":     "the confirmation secret is the authority",
	"POST /confirm/{secret}":    "the confirmation secret is the authority",
	"GET /tokens":               "the caller's own list",
	"POST /tokens":              "creates the caller's own",
	"GET /live":                 "the caller's own stream",
	"POST /live/token":          "the caller's own stream token",
}

// requireEveryRouteTried fails unless every route of the web app (web.RoutePatterns) is either in
// ownOrPublic or matched by one of the attempts, so a new route cannot escape the matrix.
func requireEveryRouteTried(t *testing.T, attempts []attempt) {
	t.Helper()
	for _, pattern := range web.RoutePatterns() {
		if _, ok := ownOrPublic[pattern]; ok {
			continue
		}
		method, path, _ := strings.Cut(pattern, " ")
		re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(path), "[^/]+") + "$")
		tried := slices.ContainsFunc(attempts, func(a attempt) bool {
			p, _, _ := strings.Cut(a.path, "?")
			return a.method == method && re.MatchString(p)
		})
		require.True(t, tried, "the authorization matrix does not try %s (add an attempt, or list it in ownOrPublic with why)", pattern)
	}
}

// pickWebAddr chooses the web app's address before it starts (once), so its URL is known to the
// processes started before it.
func (s *stack) pickWebAddr() {
	s.t.Helper()
	if s.webAddr != "" {
		return
	}
	port, err := testproc.FreePort()
	require.NoError(s.t, err)
	s.webAddr = fmt.Sprintf("127.0.0.1:%d", port)
	s.webURL = "http://" + s.webAddr
}

// startWebWithOIDC runs the web app on a known port with devoidc as its OpenID provider, and the
// development login off.
func (s *stack) startWebWithOIDC() *oidctest.Server {
	s.t.Helper()
	s.pickWebAddr()
	op := oidctest.Start(s.t, "http://"+s.webAddr+oidclogin.CallbackPath)
	s.startWeb(func(c *web.Config) { c.OIDC, c.DevLogin = op.LoginConfig(), false })
	return op
}

// Logging in through the OpenID provider creates the user from its claims; a callback that does
// not belong to a login started in this session is refused; the development login is off.
func TestOIDCLogin(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	op := s.startWebWithOIDC()

	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b := &browser{t: t, base: s.webURL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	status, body := b.post("/login/dev", url.Values{"name": {"mallory"}})
	require.Equal(t, http.StatusNotFound, status, body)

	req, err := http.NewRequest("GET", s.webURL+"/login/oidc?next=/tokens", nil)
	require.NoError(t, err)
	resp, err := b.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	cb, err := op.Login(t.Context(), b.c, resp.Header.Get("Location"), oidctest.Alice().Username, oidctest.Alice().Password)
	require.NoError(t, err)
	require.Equal(t, oidclogin.CallbackPath, cb.Path)

	// A replay of the callback in another browser has no login in progress.
	other := &browser{t: t, base: s.webURL, c: &http.Client{CheckRedirect: b.c.CheckRedirect}}
	status, _ = other.get(cb.RequestURI())
	require.Equal(t, http.StatusBadRequest, status)

	status, _ = b.get(cb.RequestURI())
	require.Equal(t, http.StatusSeeOther, status)
	status, body = b.api("GET", "/api/v1/me", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `"name":"alice"`)
	require.Contains(t, body, `"email":"alice@example.org"`)

	// The same callback again: its login is over.
	status, _ = b.get(cb.RequestURI())
	require.Equal(t, http.StatusBadRequest, status)
}

// The administrators' pages: the status page counts the processes on the queues, the user list
// finds users, and other users are refused.
func TestAdminPages(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	root, alice := s.login("root"), s.login("alice")
	status, _ := alice.get("/admin/status")
	require.Equal(t, http.StatusForbidden, status)

	require.Eventually(t, func() bool {
		status, body := root.get("/admin/status")
		return status == http.StatusOK && strings.Contains(body, `<strong id="workers">1</strong>`) &&
			strings.Contains(body, `<strong id="consumers">1</strong>`)
	}, waitFor, 100*time.Millisecond, "the status page shows the running worker and consumer")
	status, body := root.api("GET", "/api/v1/admin/status", "")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, s.topo.WorkQueue)

	status, body = root.get("/admin/users?q=ali")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "<td>alice</td>")
	require.NotContains(t, body, "<td>root</td>")
}

// A message a filter matches counts as a hit of that filter, shown in the filter list and the API.
func TestFilterHitsAreCounted(t *testing.T) {
	t.Parallel()
	s, events := aliceListening(t)
	s.userMessage("hit-1", "alice")
	next(t, events)

	alice := s.login("alice")
	require.Eventually(t, func() bool {
		_, body := alice.api("GET", "/api/v1/users/alice/filters", "")
		return strings.Contains(body, `"name":"involving @me"`) && strings.Contains(body, `"hits_7d":1`)
	}, waitFor, 50*time.Millisecond, "the filter that matched has one hit")
	status, body := alice.get("/filters")
	require.Equal(t, http.StatusOK, status)
	require.Regexp(t, `involving @me(?s:.)*<td class="num">1</td>`, body)
}

// The preview shows what a filter would have matched among the latest messages, and the "why"
// page of a notification says which conditions of the filter held.
func TestPreviewAndWhy(t *testing.T) {
	t.Parallel()
	s, events := aliceListening(t)
	s.userMessage("why-1", "alice", "bob")
	s.userMessage("why-2", "carol")
	ev := next(t, events)
	require.Equal(t, "why-1", messageID(t, ev))

	alice := s.login("alice")
	form := url.Values{"name": {"about me"}, "enabled": {"1"}, "n": {"1"},
		"c0.field": {"user"}, "c0.op": {"in"}, "c0.values": {"@me"}, "action": {"preview"}}
	s.waitArchived("why-1")
	s.waitArchived("why-2")
	status, body := alice.post("/filters/new", form)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Would have matched <strong>1</strong> of the last 2 messages")
	require.Contains(t, body, "org.fedoraproject.prod.bodhi.update.comment")

	status, body = alice.api("POST", "/api/v1/users/alice/filters/preview",
		`{"name":"x","conditions":[{"field":"user","values":["carol"]}]}`)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, `"matched":1`)
	require.Contains(t, body, `"scanned":2`)

	var p sse.Payload
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &p))
	require.Len(t, p.FilterIDs, len(p.Filters))
	i := slices.Index(p.Filters, "involving @me")
	require.GreaterOrEqual(t, i, 0, "%v", p.Filters)
	status, body = alice.get(fmt.Sprintf("/why?message=why-1&filter=%d", p.FilterIDs[i]))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `<span class="tag ok">holds</span> an involved user is @me`)
	require.Contains(t, body, "that is why you got it")

	// bob cannot see alice's filter through the page.
	bob := s.login("bob")
	_, body = bob.get(fmt.Sprintf("/why?message=why-1&filter=%d", p.FilterIDs[i]))
	require.NotContains(t, body, "involving @me")
}

// A one-shot filter sends its first match, then is disabled: the next message it would match
// reaches nobody.
func TestOneShotFilterDisablesItself(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	s.userWithFilter("alice", "zed") // besides the default filters, which match messages about alice
	var fs struct {
		Filters []struct {
			ID           int64   `json:"id"`
			Name         string  `json:"name"`
			Enabled      bool    `json:"enabled"`
			Destinations []int64 `json:"destinations"`
		} `json:"filters"`
	}
	require.Equal(t, http.StatusOK, s.api("GET", "/api/v1/users/alice/filters", nil, &fs))
	var id int64
	var dests []int64
	for _, f := range fs.Filters {
		if f.Name == "involving zed" {
			id, dests = f.ID, f.Destinations
		}
	}
	require.NotZero(t, id)
	require.Equal(t, http.StatusOK, s.api("PUT", fmt.Sprintf("/api/v1/users/alice/filters/%d", id), map[string]any{
		"name": "zed once", "one_shot": true, "destinations": dests,
		"conditions": []map[string]any{{"field": "user", "values": []string{"zed"}}}}, nil))
	s.waitWorkersCurrent()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := s.subscribe(ctx, "alice", "")
	s.userMessage("once-1", "zed")
	require.Equal(t, "once-1", messageID(t, next(t, events)))
	require.Eventually(t, func() bool {
		require.Equal(t, http.StatusOK, s.api("GET", "/api/v1/users/alice/filters", nil, &fs))
		for _, f := range fs.Filters {
			if f.ID == id {
				return !f.Enabled
			}
		}
		return false
	}, waitFor, 50*time.Millisecond, "the one-shot filter was disabled")
	s.waitWorkersCurrent()
	s.userMessage("once-2", "zed")
	s.userMessage("once-3", "alice")
	require.Equal(t, "once-3", messageID(t, next(t, events)), "once-2 matched a spent one-shot filter")
}

// An IRC destination is confirmed on the destinations page with the code the bot sent; a wrong
// code is refused with the reason.
func TestConfirmIRCCodeOnThePage(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	alice := s.login("alice")
	status, _ := alice.post("/destinations", url.Values{"kind": {"irc"}, "address": {"alicenick"}})
	require.Equal(t, http.StatusSeeOther, status)

	store := pgstore.New(s.pool, pgstore.WithClock(func() time.Time { return time.Now().Add(time.Hour) })) // past the resend pause
	u, err := store.UserByName(t.Context(), "alice")
	require.NoError(t, err)
	ds, err := store.Destinations(t.Context(), u)
	require.NoError(t, err)
	var irc prefs.Destination
	for _, d := range ds {
		if d.Kind == "irc" {
			irc = d
		}
	}
	require.False(t, irc.Confirmed)
	c, err := store.BeginConfirmation(t.Context(), u, irc.ID) // the code the bot would send
	require.NoError(t, err)

	path := fmt.Sprintf("/destinations/%d/confirm", irc.ID)
	status, body := alice.post(path, url.Values{"code": {"WRONG234"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, body, "wrong confirmation code")
	status, _ = alice.post(path, url.Values{"code": {strings.ToLower(c.Code)}})
	require.Equal(t, http.StatusSeeOther, status)
	_, body = alice.get("/destinations")
	require.Regexp(t, `alicenick(?s:.)*tag ok">confirmed`, body)
}
