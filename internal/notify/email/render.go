package email

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"fmn/internal/mutetoken"
	"fmn/internal/wire"
	"fmn/pkg/message"
)

// Limits on what goes into header lines. RFC 5322 caps a line at 998 bytes; encoded words make a
// value longer than its text, so these stay well below.
const (
	maxSubjectRunes = 160
	maxHeaderBytes  = 600
)

// Header is one extra header line.
type Header struct {
	Name, Value string
}

// Message is a rendered email, ready for a Sender. Every header value in it is one line: no CR,
// LF or other control character survives rendering.
type Message struct {
	To      string
	Subject string
	// Headers are the extra headers, in order.
	Headers []Header
	Text    string
	HTML    string
}

// RenderConfig is what rendering needs besides the notification.
type RenderConfig struct {
	// PublicURL is the web app's public base URL; mute and settings links start with it.
	PublicURL string
	// MessageIDDomain is the right-hand side of Message-ID headers.
	MessageIDDomain string
	// Mute signs the one-click mute links; nil leaves List-Unsubscribe out.
	Mute *mutetoken.Signer
}

// Renderer turns notifications into messages. Rendering is pure: the same notification and
// config always give the same message.
type Renderer struct {
	cfg  RenderConfig
	base string
}

// NewRenderer returns a Renderer.
func NewRenderer(cfg RenderConfig) *Renderer {
	return &Renderer{cfg: cfg, base: strings.TrimRight(cfg.PublicURL, "/")}
}

// view is what the templates see. Strings in it are raw; html/template escapes them.
type view struct {
	Summary   string
	URL       string
	Verbose   bool
	Topic     string
	App       string
	Agent     string
	Severity  string
	Users     string
	Artifacts string
	SentAt    string
	Filters   []string
	MuteURL   string
	PrefsURL  string
	// WhyURL opens the page that shows which filter, and which of its conditions, sent this.
	WhyURL string
	// Details are the message's long form.
	Details []detailView
}

// detailView is one fact of the long form as the templates show it: Lines holds a free text's
// lines (Text), Value a one-line value, URL its link when it has a safe one.
type detailView struct {
	Label, Value, URL string
	Text              bool
	Lines             []string
}

// details makes the long form safe for both parts: one-line values, free text split into
// lines without control characters, links http or https only.
func details(ds []message.Detail) []detailView {
	out := make([]detailView, 0, len(ds))
	for _, d := range ds {
		v := detailView{Label: oneLine(d.Label), URL: safeURL(d.URL), Text: d.Text}
		if d.Text {
			for _, l := range strings.Split(d.Value, "\n") {
				v.Lines = append(v.Lines, strings.TrimRight(oneLine(l), " "))
			}
		} else {
			v.Value = oneLine(d.Value)
		}
		if v.Label == "" || (v.Value == "" && len(v.Lines) == 0) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// Render renders n; a confirmation (wire.KindConfirmation) is rendered by RenderConfirmation.
func (r *Renderer) Render(n wire.Notification) (Message, error) {
	if n.IsConfirmation() {
		return r.RenderConfirmation(n)
	}
	v := view{
		Summary:   oneLine(n.Summary),
		URL:       safeURL(n.URL),
		Verbose:   n.Destination.Format == "verbose",
		Topic:     oneLine(n.Topic),
		App:       oneLine(n.App),
		Agent:     oneLine(n.Agent),
		Severity:  severityName(n.Severity),
		Users:     oneLine(strings.Join(n.Usernames, ", ")),
		Artifacts: oneLine(artifacts(n)),
		PrefsURL:  r.base + "/",
		Details:   details(n.Details),
	}
	if !n.SentAt.IsZero() {
		v.SentAt = n.SentAt.UTC().Format(time.DateTime + " MST")
	}
	for _, f := range n.Filters {
		v.Filters = append(v.Filters, oneLine(f.Name))
	}
	ids := make([]int64, 0, len(n.Filters))
	for _, f := range n.Filters {
		ids = append(ids, f.ID)
	}
	v.MuteURL = r.muteURL(n.User, n.Destination.ID, ids, n.MatchedAt)
	v.WhyURL = r.whyURL(n.MessageID, ids)

	subject := v.Summary
	if subject == "" {
		subject = v.Topic
	}
	m := Message{To: n.Destination.Address, Subject: truncateRunes(subject, maxSubjectRunes)}
	add := m.addHeader
	add("Message-ID", "<"+n.ID+"@"+r.cfg.MessageIDDomain+">")
	add("X-Fmn-Topic", n.Topic)
	add("X-Fmn-App", n.App)
	add("X-Fmn-User", strings.Join(n.Usernames, ", "))
	add("X-Fmn-Artifact", artifacts(n))
	add("X-Fmn-Filter", strings.Join(v.Filters, ", "))
	add("X-Fmn-Notification", n.ID)
	m.addBulkHeaders(v.MuteURL)
	if err := m.renderParts(textTemplate, htmlTemplate, v); err != nil {
		return Message{}, err
	}
	return m, nil
}

// whyURL is the link to the page that explains why a message was sent (the web app's /why).
func (r *Renderer) whyURL(messageID string, filters []int64) string {
	if r.base == "" || messageID == "" {
		return ""
	}
	q := url.Values{"message": {messageID}}
	for _, id := range filters {
		q.Add("filter", strconv.FormatInt(id, 10))
	}
	return r.base + "/why?" + q.Encode()
}

// muteURL is the one-click mute link for user's filters, sent to the destination dest, or ""
// when links are not configured. It works for mutetoken.DefaultTTL after matched, when the
// notification was matched: rendering is pure, so the expiry comes from the notification, not a
// clock (and a notification without the time gets no link rather than one that never works).
func (r *Renderer) muteURL(user string, dest int64, filters []int64, matched time.Time) string {
	if r.cfg.Mute == nil || len(filters) == 0 || r.base == "" || matched.IsZero() {
		return ""
	}
	tok := r.cfg.Mute.Issue(mutetoken.Claims{User: user, Destination: dest, Filters: filters, Expires: matched.Add(mutetoken.DefaultTTL)})
	return r.base + "/mute?token=" + url.QueryEscape(tok)
}

// addHeader adds a header made one line and bounded; an empty value adds nothing.
func (m *Message) addHeader(name, value string) {
	if value = truncateBytes(oneLine(value), maxHeaderBytes); value != "" {
		m.Headers = append(m.Headers, Header{name, value})
	}
}

// addBulkHeaders adds what every notification email carries: bulk precedence, auto-submitted,
// and the one-click unsubscribe headers when there is a mute link.
func (m *Message) addBulkHeaders(muteURL string) {
	m.addHeader("Precedence", "bulk")
	m.addHeader("Auto-Submitted", "auto-generated")
	if muteURL != "" {
		m.addHeader("List-Unsubscribe", "<"+muteURL+">")
		m.addHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
}

// renderParts fills the text and HTML parts from their templates.
func (m *Message) renderParts(text *texttemplate.Template, html *template.Template, v any) error {
	var tb, hb bytes.Buffer
	if err := text.Execute(&tb, v); err != nil {
		return fmt.Errorf("render text part: %w", err)
	}
	if err := html.Execute(&hb, v); err != nil {
		return fmt.Errorf("render html part: %w", err)
	}
	m.Text, m.HTML = tb.String(), hb.String()
	return nil
}

// textTemplate renders the plain-text part (text/template: plain text needs no escaping, and
// every value in it is one line already).
var textTemplate = texttemplate.Must(texttemplate.New("text").Parse(`{{if .Summary}}{{.Summary}}{{else}}{{.Topic}}{{end}}
{{if .URL}}
{{.URL}}
{{end}}{{if .Details}}
{{range .Details}}{{if .Text}}{{.Label}}:
{{range .Lines}}    {{.}}
{{end}}{{else}}{{.Label}}: {{.Value}}{{if .URL}} <{{.URL}}>{{end}}
{{end}}{{end}}{{end}}{{if .Verbose}}
Topic:     {{.Topic}}
{{- if .App}}
App:       {{.App}}{{end}}
{{- if .Agent}}
Agent:     {{.Agent}}{{end}}
Severity:  {{.Severity}}
{{- if .Users}}
Users:     {{.Users}}{{end}}
{{- if .Artifacts}}
Artifacts: {{.Artifacts}}{{end}}
{{- if .SentAt}}
Sent at:   {{.SentAt}}{{end}}
{{end}}
-- 
You get this because of your filter{{if gt (len .Filters) 1}}s{{end}} {{range $i, $f := .Filters}}{{if $i}}, {{end}}"{{$f}}"{{end}}.
{{- if .MuteURL}}
Mute {{if gt (len .Filters) 1}}them{{else}}it{{end}}: {{.MuteURL}}{{end}}
{{- if .WhyURL}}
Why did I get this? {{.WhyURL}}{{end}}
Your notification settings: {{.PrefsURL}}
`))

var htmlTemplate = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{if .Summary}}{{.Summary}}{{else}}{{.Topic}}{{end}}</title></head>
<body>
<p>{{if .URL}}<a href="{{.URL}}">{{if .Summary}}{{.Summary}}{{else}}{{.Topic}}{{end}}</a>{{else}}{{if .Summary}}{{.Summary}}{{else}}{{.Topic}}{{end}}{{end}}</p>
{{- if .Details}}
<table style="border-collapse:collapse">
{{- range .Details}}
<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">{{.Label}}</th><td style="padding:2px 0">
{{- if .Text}}<div style="white-space:pre-wrap;border-left:3px solid #ccc;padding-left:8px">{{range $i, $l := .Lines}}{{if $i}}
{{end}}{{$l}}{{end}}</div>
{{- else if .URL}}<a href="{{.URL}}">{{.Value}}</a>{{else}}{{.Value}}{{end}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if .Verbose}}
<table>
<tr><th align="left">Topic</th><td>{{.Topic}}</td></tr>
{{- if .App}}
<tr><th align="left">App</th><td>{{.App}}</td></tr>{{end}}
{{- if .Agent}}
<tr><th align="left">Agent</th><td>{{.Agent}}</td></tr>{{end}}
<tr><th align="left">Severity</th><td>{{.Severity}}</td></tr>
{{- if .Users}}
<tr><th align="left">Users</th><td>{{.Users}}</td></tr>{{end}}
{{- if .Artifacts}}
<tr><th align="left">Artifacts</th><td>{{.Artifacts}}</td></tr>{{end}}
{{- if .SentAt}}
<tr><th align="left">Sent at</th><td>{{.SentAt}}</td></tr>{{end}}
</table>
{{- end}}
<hr>
<p style="font-size:small;color:#666">You get this because of your filter{{if gt (len .Filters) 1}}s{{end}} {{range $i, $f := .Filters}}{{if $i}}, {{end}}&ldquo;{{$f}}&rdquo;{{end}}.
{{- if .MuteURL}} <a href="{{.MuteURL}}">Mute {{if gt (len .Filters) 1}}them{{else}}it{{end}}</a>.{{end}}
{{- if .WhyURL}} <a href="{{.WhyURL}}">Why did I get this?</a>{{end}}
<a href="{{.PrefsURL}}">Your notification settings</a>.</p>
</body></html>
`))

// oneLine makes s a single line: every control character (CR and LF included) and run of white
// space becomes one space, and the ends are trimmed.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			space = b.Len() > 0
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

// safeURL keeps only http and https URLs, as one line.
func safeURL(s string) string {
	s = oneLine(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func artifacts(n wire.Notification) string {
	parts := make([]string, 0, len(n.Artifacts))
	for _, a := range n.Artifacts {
		parts = append(parts, string(a.Type)+"/"+a.Name)
	}
	return strings.Join(parts, ", ")
}

// severityName names fedora-messaging's severities (logging levels).
func severityName(s int) string {
	switch s {
	case 10:
		return "debug"
	case 20:
		return "info"
	case 30:
		return "warning"
	case 40:
		return "error"
	}
	return strconv.Itoa(s)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
