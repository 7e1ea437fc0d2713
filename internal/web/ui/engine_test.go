package ui

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// templatesWithout copies the embedded templates into a MapFS, leaving out the files drop names
// and adding extra.
func templatesWithout(t *testing.T, drop []string, extra fstest.MapFS) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, n := range drop {
			if p == n {
				return nil
			}
		}
		b, err := fs.ReadFile(templateFS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	}))
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func testStatic(t *testing.T) *static {
	t.Helper()
	st, err := newStatic(staticFS)
	require.NoError(t, err)
	return st
}

// The embedded templates hold every declared view, and every view renders.
func TestEngineParsesEveryView(t *testing.T) {
	t.Parallel()
	e, err := newEngine(templateFS, testStatic(t))
	require.NoError(t, err)
	for v := range numViews {
		require.NotNil(t, e.views[v], "view %s", v)
	}
	var b strings.Builder
	require.NoError(t, e.execute(&b, viewError, view{Title: "Not Found", Data: "not found"}))
	require.Contains(t, b.String(), "<p>not found</p>")
	require.Contains(t, b.String(), `href="/static/app.css?v=`)
}

// A view a handler names without its template fails construction, naming it, and so does a
// template no view declares, or a layout view without "content": none is first found at request
// time.
func TestEngineRefusesMissingAndUndeclaredViews(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fsys fstest.MapFS
		want string
	}{
		// The tokens page's template is gone.
		"missing view": {templatesWithout(t, []string{"templates/views/tokens.html"}, nil), `view "tokens" has no template`},
		// The standalone mute page is a view like the others.
		"missing standalone view": {templatesWithout(t, []string{"templates/views/mute.html"}, nil), `view "mute" has no template`},
		// A template nobody declared (a typo in a file name, a page left behind).
		"undeclared template": {templatesWithout(t, nil, fstest.MapFS{"templates/views/tokenz.html": {Data: []byte(`{{define "content"}}{{end}}`)}}),
			"templates/views/tokenz.html is no declared view"},
		// A layout view that fills nothing in.
		"no content": {templatesWithout(t, []string{"templates/views/live.html"}, fstest.MapFS{"templates/views/live.html": {Data: []byte(`<p>live</p>`)}}),
			`defines no "content"`},
		// A template that does not parse.
		"parse error": {templatesWithout(t, []string{"templates/views/why.html"}, fstest.MapFS{"templates/views/why.html": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)}}),
			"parse templates/views/why.html"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := newEngine(tc.fsys, testStatic(t))
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// The mute page is rendered from its template, byte for byte what the inline template gave.
func TestMuteViewIsStandalone(t *testing.T) {
	t.Parallel()
	e, err := newEngine(templateFS, testStatic(t))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, e.execute(&b, viewMute, muteView{Form: true, Action: "/mute?token=a%2Bb", Count: 2}))
	require.Equal(t, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mute notifications — fmn</title></head>
<body>
<p>Stop the notifications of the filters that sent this email?</p>
<form method="post" action="/mute?token=a%2Bb"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Mute</button></form>
</body></html>
`, b.String())
	b.Reset()
	require.NoError(t, e.execute(&b, viewMute, muteView{Message: muteInvalid}))
	require.Equal(t, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mute notifications — fmn</title></head>
<body>
<p>This mute link is not valid.</p>
</body></html>
`, b.String())
}
