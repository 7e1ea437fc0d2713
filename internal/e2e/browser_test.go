package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/browsertest"
	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/oidctest"
	"fmn/internal/testkit/rabbittest"
)

// A person's whole journey in a real browser: log in, add an email address and confirm it by the
// link mailed to them, create a filter from a preset that sends there, then see a matching bus
// message arrive on the Live page and in their inbox. Screenshots of the main pages are saved as
// artifacts (browsertest.ArtifactsDir).
func TestBrowserJourney(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	s := newStack(t, rabbittest.URL(t))
	s.mail = mailtest.Start(t)
	s.pickWebAddr()
	s.startBackend(nil) // knows the web app's URL, for links and the Live page's origin
	s.startWebWithOIDC()
	s.startWorker(nil)
	s.startConsumer(nil)
	web := s.webURL

	// Log in at the OpenID provider.
	alice := oidctest.Alice()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(web+"/filters"), chromedp.WaitVisible("#login-oidc")))
	browsertest.Screenshot(t, ctx, "login")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#login-oidc"), chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", alice.Username), chromedp.SendKeys("#password", alice.Password),
		chromedp.Click(`button[type="submit"]`), chromedp.WaitVisible("#filters")))
	browsertest.Screenshot(t, ctx, "filters")

	// Add an email destination: it starts unconfirmed.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(web+"/destinations"), chromedp.WaitVisible("#dest-address"),
		chromedp.SendKeys("#dest-address", "alice@example.org"), chromedp.Click("#dest-add"),
		chromedp.WaitVisible(`//td[contains(., "alice@example.org")]`)))
	state, err := chromedp.Run(ctx, chromedp.Text(`//tr[td[contains(., "alice@example.org")]]`))
	require.NoError(t, err)
	require.Contains(t, state, "unconfirmed")
	browsertest.Screenshot(t, ctx, "destinations-unconfirmed")
	s.confirmByMail(ctx, "alice@example.org")
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(web+"/destinations"), chromedp.WaitVisible("#destinations")))
	state, err = chromedp.Run(ctx, chromedp.Text(`//tr[td[contains(., "alice@example.org")]]`))
	require.NoError(t, err)
	require.Contains(t, state, "confirmed")
	require.NotContains(t, state, "unconfirmed")
	browsertest.Screenshot(t, ctx, "destinations")

	// A message about alice, before she has a filter mailing her: the preview will show it.
	s.waitWorkersCurrent()
	s.userMessage("browser-0", "alice", "bob")
	s.waitArchived("browser-0")

	// A filter from the "Events about me" preset, sending to the new address too; its preview
	// counts the message above.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(web+"/filters"), chromedp.Click("#preset-about-me"),
		chromedp.WaitVisible("#filter-form"),
		chromedp.SetValue("#filter-name", "mail me about me"),
		chromedp.Click(`//label[contains(., "alice@example.org")]/input`),
		chromedp.Click("#preview-button"), chromedp.WaitVisible("#preview-summary")))
	summary, err := chromedp.Run(ctx, chromedp.Text("#preview-summary"))
	require.NoError(t, err)
	require.Contains(t, summary, "Would have matched 1 of the last")
	browsertest.Screenshot(t, ctx, "filter-edit")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#save-button"), chromedp.WaitVisible(`//td[contains(., "mail me about me")]`)))

	// The Live page connects to the backend's stream.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(web+"/live"),
		chromedp.Poll[chromedp.Void](`document.getElementById("live-state").textContent === "connected"`, chromedp.WithPollingTimeout(30*time.Second))))
	s.waitWorkersCurrent()
	// A bodhi comment on alice's update, shaped as Bodhi sends it: the page and the email say
	// who said what about which update, and the email carries the comment and the karma.
	s.publish("browser-1", "org.fedoraproject.prod.bodhi.update.comment",
		amqp.Table{"fedora_messaging_schema": "bodhi.update.comment.v1", "fedora_messaging_user_alice": true, "fedora_messaging_user_bob": true,
			"fedora_messaging_rpm_python-requests": true, "sent-at": time.Now().UTC().Format(time.RFC3339)},
		`{"agent":"bob","comment":{"user":{"name":"bob"},"karma":1,"text":"Works for me on F41: the proxy settings are honoured again.",`+
			`"update":{"alias":"FEDORA-2026-4c1d2e","title":"python-requests-2.32.3-1.fc41","user":{"name":"alice"},"builds":[{"nvr":"python-requests-2.32.3-1.fc41"}]}}}`)
	const sentence = "bob commented on bodhi update python-requests-2.32.3-1.fc41 (karma +1)"
	require.NoError(t, chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.querySelectorAll("#events li").length > 0`,
		chromedp.WithPollingTimeout(30*time.Second))))
	ev, err := chromedp.Run(ctx, chromedp.Text("#events li"))
	require.NoError(t, err)
	require.Contains(t, ev, sentence)
	require.Contains(t, ev, "mail me about me")
	browsertest.Screenshot(t, ctx, "live")

	// Its "why?" link explains which conditions held.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click("#events li a.why"), chromedp.WaitVisible("#why-message")))
	why, err := chromedp.Run(ctx, chromedp.Text("main"))
	require.NoError(t, err)
	require.Contains(t, why, "that is why you got it")
	browsertest.Screenshot(t, ctx, "why")

	got := s.mail.WaitFor(t, `to:"alice@example.org" subject:"commented"`, 1)
	require.Len(t, got, 1)
	m := s.mail.Message(t, got[0].ID)
	require.Equal(t, sentence, got[0].Subject)
	require.Contains(t, m.Text, "Works for me on F41")
	require.Contains(t, m.Text, "Karma: +1")
	require.Contains(t, m.Text, "https://bodhi.fedoraproject.org/updates/FEDORA-2026-4c1d2e")
	// The email as its reader sees it: its HTML part, as mailpit serves it.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.mail.APIURL+"/view/"+got[0].ID+".html"), chromedp.WaitVisible("body")))
	err = chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.body.innerText.includes("bob commented")`,
		chromedp.WithPollingTimeout(30*time.Second)))
	browsertest.Screenshot(t, ctx, "email")
	require.NoError(t, err)
}

// confirmByMail reads the confirmation link mailed to address, opens it in the browser and
// presses its button.
func (s *stack) confirmByMail(ctx context.Context, address string) {
	s.t.Helper()
	got := s.mail.WaitFor(s.t, `to:"`+address+`" subject:"confirm"`, 1)
	m := s.mail.Message(s.t, got[0].ID)
	i := strings.Index(m.Text, s.webURL+"/confirm/")
	require.GreaterOrEqual(s.t, i, 0, "no confirmation link in %q", m.Text)
	link := strings.Fields(m.Text[i:])[0]
	require.NoError(s.t, chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible("#confirm-button")))
	browsertest.Screenshot(s.t, ctx, "confirm")
	require.NoError(s.t, chromedp.Do(ctx, chromedp.Click("#confirm-button"), chromedp.WaitVisible("#confirmed")))
}

// waitArchived waits until the consumer has archived message id (previews read the archive).
func (s *stack) waitArchived(id string) {
	s.t.Helper()
	require.Eventually(s.t, func() bool {
		var n int
		err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE msg_id = $1`, id).Scan(&n)
		return err == nil && n > 0
	}, waitFor, 20*time.Millisecond, "message %s was never archived", id)
}
