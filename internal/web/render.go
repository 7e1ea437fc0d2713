package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// apiDoc is the API's documentation, served at /api.
//
//go:embed API.md
var apiDoc string

// pages are the parsed page templates, each with the layout.
type pages map[string]*template.Template

// parsePages parses every templates/*.html except the layout into its own set with the layout.
func parsePages() (pages, error) {
	funcs := template.FuncMap{
		"condition": conditionText,
		"join":      strings.Join,
		"ago":       ago,
		"duration":  durationText,
		"add":       func(a, b int) int { return a + b },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	out := pages{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// view is what every page template gets.
type view struct {
	Title string
	// Nav names the navigation entry to highlight.
	Nav   string
	User  *prefs.User
	Flash string
	// Error is a problem with the form just submitted, shown above it.
	Error string
	Data  any
}

// render writes page name with status. A template error is logged and becomes a plain 500: the
// page is rendered into a buffer first, so a half-written page never reaches the browser.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	if p := principalOf(r.Context()); p.isUser() && v.User == nil {
		v.User = &p.user
	}
	if v.Flash == "" && h.sessions != nil {
		v.Flash = h.sessions.PopString(r.Context(), flashKey)
	}
	t, ok := h.pages[name]
	var buf bytes.Buffer
	err := fmt.Errorf("no template %q", name)
	if ok {
		err = t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		h.logger.ErrorContext(r.Context(), "render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// flashKey is the session key of the one-time message shown on the next page.
const flashKey = "flash"

// flash sets the message the next page shows once.
func (h *handler) flash(r *http.Request, msg string) { h.sessions.Put(r.Context(), flashKey, msg) }

// seeOther redirects after a successful form post (303, so the browser follows with GET).
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// conditionText describes a condition for people: "topic matches org.*.bodhi.*".
func conditionText(c rules.Condition) string {
	var verb string
	switch c.Op {
	case rules.OpGlob:
		verb = "matches"
	case rules.OpAtLeast:
		verb = "is at least"
	case rules.OpEq:
		verb = "equals"
	case rules.OpRegex:
		verb = "matches the expression"
	default:
		if c.Field == rules.FieldTopic {
			verb = "matches"
		} else if len(c.Values) > 1 {
			verb = "is one of"
		} else {
			verb = "is"
		}
		if c.Field == rules.FieldSeverity && c.Op == "" {
			verb = "is at least"
		}
	}
	subject := string(c.Field)
	switch c.Field {
	case rules.FieldOwned:
		subject, verb = "an artifact owned by", ""
	case rules.FieldBody:
		subject = "body " + c.Path
	case rules.FieldArtifact, rules.FieldUser, rules.FieldGroup:
		subject = "an involved " + subject
	}
	if c.ArtifactType != "" {
		subject += " (" + c.ArtifactType + ")"
	}
	s := subject
	if verb != "" {
		s += " " + verb
	}
	s += " " + strings.Join(c.Values, ", ")
	if c.Negate {
		s = "not: " + s
	}
	return s
}

// ago renders how long ago t was, coarsely.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return t.UTC().Format("2006-01-02")
}

// durationText renders a duration as a form value: "" for none, else "30m", "2h".
func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	s = strings.TrimSuffix(s, "0m")
	return s
}
