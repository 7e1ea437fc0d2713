package email

import (
	"errors"
	"fmt"
	"html/template"
	netmail "net/mail"
	texttemplate "text/template"
	"time"

	"fmn/internal/wire"
	"fmn/pkg/prefs"
)

// confirmView is what the confirmation templates see. Strings in it are raw; html/template
// escapes them.
type confirmView struct {
	User     string
	Address  string
	URL      string
	Validity string
	PrefsURL string
}

// RenderConfirmation renders the email asking the owner of an address to confirm it as a
// destination (n.Kind is wire.KindConfirmation). Unlike a notification it is no bulk mail and has
// no mute link: there is nothing to mute yet, and ignoring it is how one declines.
func (r *Renderer) RenderConfirmation(n wire.Notification) (Message, error) {
	link := safeURL(n.ConfirmURL)
	if link == "" {
		return Message{}, errors.New("render confirmation: no http(s) confirmation link")
	}
	if a, err := netmail.ParseAddress(n.Destination.Address); err != nil || a.Name != "" || a.Address != n.Destination.Address {
		return Message{}, errors.New("render confirmation: the address is not a plain email address")
	}
	v := confirmView{
		User:     oneLine(n.User),
		Address:  oneLine(n.Destination.Address),
		URL:      link,
		Validity: fmt.Sprintf("%d hours", int(prefs.EmailConfirmationTTL/time.Hour)),
		PrefsURL: r.base + "/",
	}
	m := Message{To: n.Destination.Address, Subject: truncateRunes("Confirm fmn notifications to "+v.Address, maxSubjectRunes)}
	m.addHeader("Message-ID", "<"+n.ID+"@"+r.cfg.MessageIDDomain+">")
	m.addHeader("X-Fmn-Notification", n.ID)
	m.addHeader("Auto-Submitted", "auto-generated")
	if err := m.renderParts(confirmTextTemplate, confirmHTMLTemplate, v); err != nil {
		return Message{}, err
	}
	return m, nil
}

var confirmTextTemplate = texttemplate.Must(texttemplate.New("confirm-text").Parse(`Confirm fmn notifications to {{.Address}}

Someone, probably you, asked fmn to send the notifications of the account "{{.User}}" to {{.Address}}.

To confirm, open this link and press the "Confirm" button on the page:

{{.URL}}

The link works for {{.Validity}}, once.

If you did not ask for this, ignore this email: nothing is sent to this address unless it is confirmed.
-- 
fmn: {{.PrefsURL}}
`))

var confirmHTMLTemplate = template.Must(template.New("confirm-html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Confirm fmn notifications to {{.Address}}</title></head>
<body>
<p>Someone, probably you, asked fmn to send the notifications of the account &ldquo;{{.User}}&rdquo; to {{.Address}}.</p>
<p><a href="{{.URL}}">Confirm {{.Address}}</a> (open the link and press the &ldquo;Confirm&rdquo; button on the page).</p>
<p>The link works for {{.Validity}}, once.</p>
<p>If you did not ask for this, ignore this email: nothing is sent to this address unless it is confirmed.</p>
<hr>
<p style="font-size:small;color:#666"><a href="{{.PrefsURL}}">fmn</a></p>
</body></html>
`))
