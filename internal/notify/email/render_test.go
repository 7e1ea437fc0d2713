package email_test

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/mutetoken"
	"fmn/internal/notify/email"
	"fmn/internal/wire"
	"fmn/pkg/message"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const muteSecret = "0123456789abcdef0123456789abcdef"

func testRenderer(t testing.TB) *email.Renderer {
	t.Helper()
	mute, err := mutetoken.NewSigner([]byte(muteSecret))
	require.NoError(t, err)
	return email.NewRenderer(email.RenderConfig{PublicURL: "https://fmn.example.org/", MessageIDDomain: "fmn.example.org", Mute: mute})
}

// testNotification is a koji build notification for alice.
func testNotification(format string) wire.Notification {
	return wire.Notification{
		ID:          wire.NotificationID("2026-abc", "alice", 7),
		MessageID:   "2026-abc",
		User:        "alice",
		Destination: wire.Destination{ID: 7, Kind: "email", Address: "alice@example.org", Format: format},
		Filters:     []wire.FilterRef{{ID: 3, Name: "My packages"}, {ID: 9, Name: "Kernel"}},
		Topic:       "org.fedoraproject.prod.buildsys.build.state.change",
		App:         "koji",
		Agent:       "bob",
		Severity:    20,
		Summary:     "bob's kernel-6.12.1-200.fc41 completed",
		URL:         "https://koji.fedoraproject.org/koji/buildinfo?buildID=1",
		Usernames:   []string{"alice", "bob"},
		Artifacts:   []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}},
		SentAt:      time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC),
		MatchedAt:   time.Date(2026, 11, 23, 12, 30, 1, 0, time.UTC),
	}
}

// testConfirmation is the confirmation of alice's email address.
func testConfirmation() wire.Notification {
	return wire.Notification{
		ID:          wire.NotificationID("confirm:r4nd0m", "alice", 7),
		Kind:        wire.KindConfirmation,
		User:        "alice",
		Destination: wire.Destination{ID: 7, Kind: "email", Address: "alice@example.org", Format: "short"},
		Topic:       "fmn.confirmation",
		ConfirmURL:  "https://fmn.example.org/confirm/c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA",
		MatchedAt:   time.Date(2026, 11, 23, 12, 30, 0, 0, time.UTC),
	}
}

func TestRenderConfirmationRefusesALinkThatIsNotHTTP(t *testing.T) {
	t.Parallel()
	n := testConfirmation()
	n.ConfirmURL = "javascript:alert(1)"
	_, err := testRenderer(t).Render(n)
	require.ErrorContains(t, err, "no http(s) confirmation link")
}

func TestRenderConfirmationRefusesAnAddressThatCouldAddHeaders(t *testing.T) {
	t.Parallel()
	for _, a := range []string{"alice@example.org\r\nBcc: victim@example.org", "Alice <alice@example.org>", ""} {
		n := testConfirmation()
		n.Destination.Address = a
		_, err := testRenderer(t).Render(n)
		require.ErrorContains(t, err, "not a plain email address", "%q", a)
	}
}

// dump writes a message in a stable text form for golden comparison.
func dump(m email.Message) string {
	var b strings.Builder
	b.WriteString("To: " + m.To + "\nSubject: " + m.Subject + "\n")
	for _, h := range m.Headers {
		b.WriteString(h.Name + ": " + h.Value + "\n")
	}
	b.WriteString("\n===== text/plain =====\n" + m.Text + "===== text/html =====\n" + m.HTML)
	return b.String()
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	cases := []struct {
		name string
		n    func() wire.Notification
	}{
		// The default format: summary, link, footer naming the filters.
		{"short", func() wire.Notification { return testNotification("short") }},
		// Verbose adds the message's metadata.
		{"verbose", func() wire.Notification { return testNotification("verbose") }},
		// No summary: the topic is the subject; no URL: no link; one filter.
		{"no_summary", func() wire.Notification {
			n := testNotification("short")
			n.Summary, n.URL, n.Filters = "", "", n.Filters[:1]
			return n
		}},
		// CR/LF in the summary and fields cannot add header lines; HTML in them is escaped in
		// the HTML part; a javascript: URL is dropped.
		{"hostile", func() wire.Notification {
			n := testNotification("verbose")
			n.Summary = "pwned\r\nBcc: victim@example.org\r\n\r\n<script>alert(1)</script> & <b>bold</b>"
			n.App = "koji\nX-Evil: 1"
			n.Usernames = []string{"alice", "mallory\r\nX-Evil: 2"}
			n.Filters = []wire.FilterRef{{ID: 3, Name: `<img src=x onerror=alert(1)>"quoted"`}}
			n.URL = "javascript:alert(1)"
			return n
		}},
		// A confirmation: its link, no bulk headers, no mute link, no digest footer.
		{"confirmation", testConfirmation},
		// A hostile user name and link cannot add HTML.
		{"confirmation_hostile", func() wire.Notification {
			n := testConfirmation()
			n.User = `<b>mallory</b>"`
			n.ConfirmURL = "https://fmn.example.org/confirm/abc\"><script>alert(1)</script>"
			return n
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := r.Render(c.n())
			require.NoError(t, err)
			got := dump(m)
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden files")
			require.Equal(t, string(want), got)
			for _, h := range m.Headers {
				require.NotContains(t, h.Value, "\n", h.Name)
				require.NotContains(t, h.Value, "\r", h.Name)
			}
			require.NotContains(t, m.Subject, "\n")
			require.NotContains(t, m.HTML, "<script>")
		})
	}
}

func TestRenderWithoutMuteSecretHasNoUnsubscribe(t *testing.T) {
	t.Parallel()
	r := email.NewRenderer(email.RenderConfig{PublicURL: "https://fmn.example.org", MessageIDDomain: "x"})
	m, err := r.Render(testNotification("short"))
	require.NoError(t, err)
	for _, h := range m.Headers {
		require.NotEqual(t, "List-Unsubscribe", h.Name)
	}
	require.NotContains(t, m.Text, "/mute")
}

// The mute link names alice, the destination the email went to and the filters that sent it,
// and works for mutetoken.DefaultTTL after the notification was matched; a digest's works for as
// long after its newest notification.
func TestRenderMuteLinkNamesTheDestinationAndExpires(t *testing.T) {
	t.Parallel()
	mute, err := mutetoken.NewSigner([]byte(muteSecret))
	require.NoError(t, err)
	r := email.NewRenderer(email.RenderConfig{PublicURL: "https://fmn.example.org", MessageIDDomain: "x", Mute: mute})
	claims := func(m email.Message) mutetoken.Claims {
		t.Helper()
		var link string
		for _, h := range m.Headers {
			if h.Name == "List-Unsubscribe" {
				link = strings.TrimSuffix(strings.TrimPrefix(h.Value, "<"), ">")
			}
		}
		u, err := url.Parse(link)
		require.NoError(t, err, link)
		c, err := mute.Verify(u.Query().Get("token"), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err, link)
		return c
	}

	n := testNotification("short")
	m, err := r.Render(n)
	require.NoError(t, err)
	require.Equal(t, mutetoken.Claims{User: "alice", Destination: 7, Filters: []int64{3, 9}, Expires: n.MatchedAt.Add(mutetoken.DefaultTTL)}, claims(m))

	later := testNotification("short")
	later.ID, later.MatchedAt, later.Filters = "later", n.MatchedAt.Add(time.Hour), later.Filters[:1]
	m, err = r.RenderDigest([]wire.Notification{n, later})
	require.NoError(t, err)
	require.Equal(t, mutetoken.Claims{User: "alice", Destination: 7, Filters: []int64{3, 9}, Expires: later.MatchedAt.Add(mutetoken.DefaultTTL)}, claims(m))

	// Without the time it was matched, no link: one that never worked would be worse.
	n.MatchedAt = time.Time{}
	m, err = r.Render(n)
	require.NoError(t, err)
	for _, h := range m.Headers {
		require.NotEqual(t, "List-Unsubscribe", h.Name)
	}
}
