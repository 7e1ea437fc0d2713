package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/browsertest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/web"
)

// The Live page in a real browser outlives its stream tokens: when one expires it fetches a fresh
// token and reopens the stream from the last event it saw; when the user logs out everywhere
// (here from another browser), its stream is revoked, no new token comes, and it says so.
func TestBrowserLiveStreamRenewsItsToken(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	s := newStack(t, rabbittest.URL(t))
	s.pickWebAddr()
	s.startBackend(nil) // knows the web app's origin, for CORS
	s.startWeb(func(c *web.Config) { c.StreamTokenTTL = 2 * time.Second })
	wait := chromedp.WithPollingTimeout(waitFor)
	state := func(want string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](`document.getElementById("live-state").textContent === "`+want+`"`, wait)
	}
	// streams lists the stream URLs the page opened; resource timing records one when its
	// response has ended.
	const streams = `performance.getEntriesByType("resource").map(function (e) { return e.name; })
		.filter(function (n) { return n.indexOf("/stream?") >= 0; })`

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.webURL+"/login"), chromedp.WaitVisible("#dev-name"),
		chromedp.SendKeys("#dev-name", "alice"), chromedp.Click("#dev-login"), chromedp.WaitVisible("#filters"),
		chromedp.Navigate(s.webURL+"/live"), state("connected")))
	s.announce("alice", "first")
	require.NoError(t, chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.querySelectorAll("#events li").length === 1`, wait)))

	// The token expires: the stream ends, and the page opens it again with a fresh token, from
	// the event it saw.
	require.NoError(t, chromedp.Do(ctx, chromedp.Poll[chromedp.Void](streams+`.length >= 2`, wait)))
	urls, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](streams))
	require.NoError(t, err)
	require.NotContains(t, urls[0], "last_event_id")
	require.Contains(t, urls[1], "&last_event_id=", "the renewed stream resumes from the last event")
	require.NotEqual(t, urls[0], urls[1], "with another token")
	require.NoError(t, chromedp.Do(ctx, state("connected")))
	s.announce("alice", "second")
	require.NoError(t, chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.querySelectorAll("#events li").length === 2`, wait)))

	// Logged out everywhere from another browser: the page's stream is revoked and it stops.
	other := s.login("alice")
	status, _ := other.post("/logout/everywhere", nil)
	require.Equal(t, http.StatusSeeOther, status)
	require.NoError(t, chromedp.Do(ctx, state("logged out: log in again")))
}
