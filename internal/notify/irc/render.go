package irc

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fmn/internal/wire"
	"fmn/pkg/prefs"
)

// MaxLineBytes is the IRC limit of one line, prefix and CR LF included (RFC 1459 §2.3).
const MaxLineBytes = 512

// maxHostBytes is what a relaying server may add as the sender's host in the prefix it puts in
// front of the bot's line (":nick!user@host "); 63 is the longest DNS label IRC servers allow.
const (
	maxHostBytes  = 63
	maxIdentBytes = 10
)

// TextBudget is how many bytes of text fit in one PRIVMSG from nick to target once a server
// relays it as ":nick!ident@host PRIVMSG target :text\r\n" with the longest ident and host.
func TextBudget(nick, target string) int {
	overhead := len(":") + len(nick) + len("!") + maxIdentBytes + len("@") + maxHostBytes +
		len(" PRIVMSG ") + len(target) + len(" :") + len("\r\n")
	return max(MaxLineBytes-overhead, 0)
}

// Clean makes s safe to put in one IRC line: CR, LF, TAB and Unicode line and paragraph
// separators become a space, every other control character (C0, DEL, C1, which includes the IRC
// formatting codes) is dropped, invalid UTF-8 is dropped, and runs of spaces collapse. Whatever a
// field holds, it cannot end the line and start a second IRC command.
func Clean(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "") {
		switch {
		case r == '\r' || r == '\n' || r == '\t' || r == '\u2028' || r == '\u2029' || unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d':
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// truncate cuts s to at most n bytes on a rune boundary, marking a cut with "…" when there is room.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	if n < len(ell) {
		return cutRunes(s, n)
	}
	return strings.TrimRight(cutRunes(s, n-len(ell)), " ") + ell
}

func cutRunes(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// LateNote is the note appended to a notification delivered more than threshold after its
// message was sent: "(delivered 12 minutes late)". It is empty when sentAt is unknown, when the
// delay is within threshold, and when the clocks disagree and the delay comes out negative.
func LateNote(sentAt, now time.Time, threshold time.Duration) string {
	if sentAt.IsZero() || threshold <= 0 {
		return ""
	}
	d := now.Sub(sentAt)
	if d <= threshold || d < time.Minute {
		return ""
	}
	if d < 2*time.Hour {
		m := int(d / time.Minute)
		if m == 1 {
			return "(delivered 1 minute late)"
		}
		return fmt.Sprintf("(delivered %d minutes late)", m)
	}
	return fmt.Sprintf("(delivered %d hours late)", int(d/time.Hour))
}

// Render is the one line of text a notification becomes: "[app] summary url (late note)", every
// field cleaned, at most budget bytes (the summary is shortened first, the URL and the note are
// kept when they fit). A pure function of its arguments.
func Render(n wire.Notification, now time.Time, lateAfter time.Duration, budget int) string {
	app := Clean(n.App)
	if app == "" {
		app = Clean(n.Topic)
	}
	summary := Clean(n.Summary)
	if summary == "" {
		summary = Clean(n.Topic)
	}
	var tail []string
	if u := Clean(n.URL); u != "" {
		tail = append(tail, u)
	}
	if note := LateNote(n.SentAt, now, lateAfter); note != "" {
		tail = append(tail, note)
	}
	head := summary
	if app != "" {
		head = "[" + app + "] " + summary
	}
	suffix := strings.Join(tail, " ")
	if suffix == "" {
		return truncate(head, budget)
	}
	room := budget - len(suffix) - 1
	if room < 16 { // too little room for the text: keep the text, drop the suffix
		return truncate(head+" "+suffix, budget)
	}
	return truncate(head, room) + " " + suffix
}

// RenderConfirmation is the one line asking the holder of a nick to confirm it as a destination
// (n.Kind is wire.KindConfirmation): the code, and how to give it back. Every field is cleaned.
func RenderConfirmation(n wire.Notification, budget int) string {
	code := Clean(n.ConfirmCode)
	line := fmt.Sprintf(`fmn confirmation code for this nick (account %q): %s. Reply "confirm %s" to me, `+
		`or type the code on the destinations page; it is valid %d minutes. If you did not ask for it, ignore this.`,
		Clean(n.User), code, code, int(prefs.IRCConfirmationTTL/time.Minute))
	return truncate(line, budget)
}
