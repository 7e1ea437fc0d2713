package ui

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates
var templateFS embed.FS

// viewName names a view: a template of templates/views. Every handler names its view by one of
// these constants, and newEngine fails unless each has its template.
type viewName int

// The views.
const (
	viewAdminDeadLetters viewName = iota
	viewAdminStatus
	viewAdminUsers
	viewAPI
	viewConfirm
	viewDestinations
	viewError
	viewFilterEdit
	viewFilters
	viewLive
	viewLogin
	viewMute
	viewTokens
	viewWhy
	numViews
)

// String is the view's template name: templates/views/<name>.html.
func (v viewName) String() string {
	return [numViews]string{
		viewAdminDeadLetters: "admin_deadletters", viewAdminStatus: "admin_status", viewAdminUsers: "admin_users",
		viewAPI: "api", viewConfirm: "confirm", viewDestinations: "destinations", viewError: "error",
		viewFilterEdit: "filter_edit", viewFilters: "filters", viewLive: "live", viewLogin: "login", viewMute: "mute",
		viewTokens: "tokens", viewWhy: "why",
	}[v]
}

// standalone reports whether the view is a whole document of its own rather than the "content"
// of the layout: the mute page, which a mail client's link opens outside the site.
func (v viewName) standalone() bool { return v == viewMute }

// engine holds the parsed views.
type engine struct {
	views [numViews]*template.Template
}

// newEngine parses templates/layout/*.html and, each in a copy of the layout, every view of
// templates/views/*.html from fsys. It fails on a view without its template, a template that is
// no view, a layout view that defines no "content", and on any parse error. Templates reference
// static files with {{static "app.css"}}, which st resolves to their hashed URLs.
func newEngine(fsys fs.FS, st *static) (*engine, error) {
	funcs := template.FuncMap{
		"condition": conditionText,
		"join":      strings.Join,
		"ago":       ago,
		"duration":  durationText,
		"add":       func(a, b int) int { return a + b },
		"static":    st.url,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(fsys, "templates/views/*.html")
	if err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	declared := map[string]viewName{}
	for v := range numViews {
		declared[v.String()] = v
	}
	e := &engine{}
	var errs []error
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		v, ok := declared[name]
		if !ok {
			errs = append(errs, fmt.Errorf("template %s is no declared view", file))
			continue
		}
		if e.views[v], err = parseView(fsys, file, v, layout, funcs); err != nil {
			errs = append(errs, err)
		}
	}
	for v := range numViews {
		if e.views[v] == nil && !fileListed(files, v) {
			errs = append(errs, fmt.Errorf("view %q has no template templates/views/%s.html", v, v))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

// parseView parses the view v of file: on its own when it is standalone, else in a copy of
// layout, where it must define "content".
func parseView(fsys fs.FS, file string, v viewName, layout *template.Template, funcs template.FuncMap) (*template.Template, error) {
	if v.standalone() {
		t, err := template.New(path.Base(file)).Funcs(funcs).ParseFS(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", file, err)
		}
		return t, nil
	}
	t, err := template.Must(layout.Clone()).ParseFS(fsys, file)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	if t.Lookup("content") == nil {
		return nil, fmt.Errorf("parse %s: the view defines no \"content\"", file)
	}
	return t, nil
}

// fileListed reports whether files has v's template (which then failed to parse).
func fileListed(files []string, v viewName) bool {
	for _, f := range files {
		if strings.TrimSuffix(path.Base(f), ".html") == v.String() {
			return true
		}
	}
	return false
}

// execute writes view v with data: the layout around the view's "content", or the standalone
// view itself.
func (e *engine) execute(w io.Writer, v viewName, data any) error {
	t := e.views[v]
	if v.standalone() {
		return t.Execute(w, data)
	}
	return t.ExecuteTemplate(w, "layout", data)
}
