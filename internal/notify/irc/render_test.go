package irc

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/wire"
)

func TestClean(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		// Plain text passes unchanged.
		{"plain", "hello world", "hello world"},
		// CR LF cannot end the line: the rest stays on it.
		{"crlf injection", "hi\r\nPRIVMSG #x :owned", "hi PRIVMSG #x :owned"},
		// A lone CR or LF too.
		{"lone cr", "a\rb\nc", "a b c"},
		// NUL, BEL, ESC, DEL and IRC formatting codes (bold, colour, reset) are dropped.
		{"controls", "a\x00b\x07c\x1bd\x7fe\x02f\x03g\x0fh", "abcdefgh"},
		// C1 controls are dropped; NEL (U+0085), a line break, becomes a space.
		{"c1", "a\u0085b\u009bc", "a bc"},
		// Unicode line and paragraph separators become spaces.
		{"unicode separators", "a\u2028b\u2029c", "a b c"},
		// Tabs and runs of whitespace collapse; ends are trimmed.
		{"whitespace", "  a\t\t b  ", "a b"},
		// Invalid UTF-8 is dropped.
		{"invalid utf8", "a\xffb", "ab"},
		// Non-ASCII text is kept.
		{"unicode", "Fedora ✓ žluťoučký", "Fedora ✓ žluťoučký"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, Clean(tc.in))
		})
	}
}

func TestLateNote(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		sentAt time.Time
		want   string
	}{
		// Unknown send time: no note.
		{"unknown", time.Time{}, ""},
		// Within the threshold: no note.
		{"on time", now.Add(-4 * time.Minute), ""},
		// Exactly the threshold: no note.
		{"threshold", now.Add(-5 * time.Minute), ""},
		// Past the threshold: minutes, rounded down.
		{"late", now.Add(-12*time.Minute - 30*time.Second), "(delivered 12 minutes late)"},
		// Hours once it is long.
		{"hours", now.Add(-3*time.Hour - 10*time.Minute), "(delivered 3 hours late)"},
		// Clock skew: sent "in the future" never shows a negative delay.
		{"future", now.Add(10 * time.Minute), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, LateNote(tc.sentAt, now, 5*time.Minute))
		})
	}
	// One minute is singular (threshold below it).
	require.Equal(t, "(delivered 1 minute late)", LateNote(now.Add(-90*time.Second), now, 30*time.Second))
}

func TestRender(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	base := wire.Notification{
		App: "bodhi", Topic: "org.fedoraproject.prod.bodhi.update.comment", Summary: "alice commented on FEDORA-2026-1",
		URL: "https://bodhi.fedoraproject.org/updates/FEDORA-2026-1", SentAt: now.Add(-time.Minute),
	}
	with := func(f func(*wire.Notification)) wire.Notification { n := base; f(&n); return n }
	for _, tc := range []struct {
		name   string
		n      wire.Notification
		budget int
		want   string
	}{
		// The usual line: app, summary, URL.
		{"usual", base, 400, "[bodhi] alice commented on FEDORA-2026-1 https://bodhi.fedoraproject.org/updates/FEDORA-2026-1"},
		// Late: the note follows the URL.
		{"late", with(func(n *wire.Notification) { n.SentAt = now.Add(-42 * time.Minute) }), 400,
			"[bodhi] alice commented on FEDORA-2026-1 https://bodhi.fedoraproject.org/updates/FEDORA-2026-1 (delivered 42 minutes late)"},
		// No app: the topic stands in; no summary: the topic is the text.
		{"no app no summary", with(func(n *wire.Notification) { n.App, n.Summary, n.URL = "", "", "" }), 400,
			"[org.fedoraproject.prod.bodhi.update.comment] org.fedoraproject.prod.bodhi.update.comment"},
		// Injection in every field arrives as one line.
		{"injection", with(func(n *wire.Notification) {
			n.App, n.Summary, n.URL = "x\r\nQUIT", "hi\r\nPRIVMSG #x :owned", "https://e.org/\nJOIN #y"
		}), 400, "[x QUIT] hi PRIVMSG #x :owned https://e.org/ JOIN #y"},
		// Too long: the summary is shortened, the URL kept.
		{"long", with(func(n *wire.Notification) { n.Summary = strings.Repeat("word ", 40) }), 100,
			"[bodhi] word word word word word word word… https://bodhi.fedoraproject.org/updates/FEDORA-2026-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Render(tc.n, now, 5*time.Minute, tc.budget)
			require.Equal(t, tc.want, got)
			require.LessOrEqual(t, len(got), tc.budget)
		})
	}
}

func TestRenderNeverExceedsBudget(t *testing.T) {
	t.Parallel()
	n := wire.Notification{App: "a", Summary: strings.Repeat("é", 600), URL: "https://" + strings.Repeat("u", 600)}
	for budget := 0; budget < 700; budget += 7 {
		got := Render(n, time.Now(), time.Minute, budget)
		require.LessOrEqual(t, len(got), budget)
		require.Equal(t, Clean(got), strings.TrimSpace(got), "budget %d: %q", budget, got)
	}
	// The budget leaves room for the longest prefix a server adds.
	nick, target := "fmn", "somebody"
	b := TextBudget(nick, target)
	relayed := ":" + nick + "!" + strings.Repeat("i", maxIdentBytes) + "@" + strings.Repeat("h", maxHostBytes) +
		" PRIVMSG " + target + " :" + strings.Repeat("x", b) + "\r\n"
	require.Len(t, relayed, MaxLineBytes)
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(2, 3, t0) // 2 lines/s, burst 3
	// The burst goes at once.
	for range 3 {
		require.Zero(t, l.Reserve(t0))
	}
	// Then each line waits one more interval.
	require.Equal(t, 500*time.Millisecond, l.Reserve(t0))
	require.Equal(t, time.Second, l.Reserve(t0))
	// After waiting, the bucket has refilled what the waits used: the next is one interval on.
	require.Equal(t, 500*time.Millisecond, l.Reserve(t0.Add(time.Second)))
	// A long pause refills the burst, never more.
	later := t0.Add(time.Hour)
	for range 3 {
		require.Zero(t, l.Reserve(later))
	}
	require.Positive(t, l.Reserve(later))
	// Rate 0 is unlimited.
	u := NewLimiter(0, 1, t0)
	for range 100 {
		require.Zero(t, u.Reserve(t0))
	}
}

func TestRenderConfirmation(t *testing.T) {
	t.Parallel()
	n := wire.Notification{Kind: wire.KindConfirmation, User: "alice", ConfirmCode: "ABCD2345",
		Destination: wire.Destination{Kind: "irc", Address: "alice"}}
	require.Equal(t, `fmn confirmation code for this nick (account "alice"): ABCD2345. Reply "confirm ABCD2345" to me, `+
		`or type the code on the destinations page; it is valid 60 minutes. If you did not ask for it, ignore this.`,
		RenderConfirmation(n, TextBudget("fmn", "alice")))
	// Nothing in the fields can end the line.
	n.User, n.ConfirmCode = "mallory\r\nQUIT :x", "AB\r\nCD"
	got := RenderConfirmation(n, TextBudget("fmn", "alice"))
	require.NotContains(t, got, "\r")
	require.NotContains(t, got, "\n")
	require.Contains(t, got, `"confirm AB CD"`)
}
