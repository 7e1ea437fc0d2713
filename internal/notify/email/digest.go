package email

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"fmn/internal/wire"
)

// maxDigestFilters bounds the filters a digest's mute link names (the mute token's own bound).
const maxDigestFilters = 32

type digestItem struct {
	Summary, URL string
}

type digestView struct {
	Count    int
	Items    []digestItem
	Filters  []string
	MuteURL  string
	PrefsURL string
}

// RenderDigest renders several notifications for one destination as one email: a line each, the
// filters that sent them, and one mute link for all those filters. ns must not be empty.
func (r *Renderer) RenderDigest(ns []wire.Notification) (Message, error) {
	if len(ns) == 0 {
		return Message{}, fmt.Errorf("render digest: no notifications")
	}
	v := digestView{Count: len(ns), PrefsURL: r.base + "/"}
	seen := map[int64]bool{}
	var ids []int64
	for _, n := range ns {
		s := oneLine(n.Summary)
		if s == "" {
			s = oneLine(n.Topic)
		}
		v.Items = append(v.Items, digestItem{Summary: s, URL: safeURL(n.URL)})
		for _, f := range n.Filters {
			if !seen[f.ID] {
				seen[f.ID] = true
				ids = append(ids, f.ID)
				v.Filters = append(v.Filters, oneLine(f.Name))
			}
		}
	}
	// The link works for as long after the newest notification as a single email's would.
	var matched time.Time
	for _, n := range ns {
		if n.MatchedAt.After(matched) {
			matched = n.MatchedAt
		}
	}
	v.MuteURL = r.muteURL(ns[0].User, ns[0].Destination.ID, ids[:min(len(ids), maxDigestFilters)], matched)
	m := Message{To: ns[0].Destination.Address, Subject: fmt.Sprintf("fmn digest: %d notifications", len(ns))}
	m.addHeader("Message-ID", "<digest-"+ns[0].ID+"-"+strconv.Itoa(len(ns))+"@"+r.cfg.MessageIDDomain+">")
	m.addHeader("X-Fmn-Digest", strconv.Itoa(len(ns)))
	m.addHeader("X-Fmn-Filter", strings.Join(v.Filters, ", "))
	m.addBulkHeaders(v.MuteURL)
	if err := m.renderParts(digestText, digestHTML, v); err != nil {
		return Message{}, err
	}
	return m, nil
}

var digestText = texttemplate.Must(texttemplate.New("digest-text").Parse(`{{.Count}} notifications:
{{range .Items}}
- {{.Summary}}{{if .URL}}
  {{.URL}}{{end}}{{end}}

-- 
You get this digest because of your filter{{if gt (len .Filters) 1}}s{{end}} {{range $i, $f := .Filters}}{{if $i}}, {{end}}"{{$f}}"{{end}}.
{{- if .MuteURL}}
Mute {{if gt (len .Filters) 1}}them{{else}}it{{end}}: {{.MuteURL}}{{end}}
Your notification settings: {{.PrefsURL}}
`))

var digestHTML = template.Must(template.New("digest-html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Count}} notifications</title></head>
<body>
<p>{{.Count}} notifications:</p>
<ul>
{{- range .Items}}
<li>{{if .URL}}<a href="{{.URL}}">{{.Summary}}</a>{{else}}{{.Summary}}{{end}}</li>
{{- end}}
</ul>
<hr>
<p style="font-size:small;color:#666">You get this digest because of your filter{{if gt (len .Filters) 1}}s{{end}} {{range $i, $f := .Filters}}{{if $i}}, {{end}}&ldquo;{{$f}}&rdquo;{{end}}.
{{- if .MuteURL}} <a href="{{.MuteURL}}">Mute {{if gt (len .Filters) 1}}them{{else}}it{{end}}</a>.{{end}}
<a href="{{.PrefsURL}}">Your notification settings</a>.</p>
</body></html>
`))
