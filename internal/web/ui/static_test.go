package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Static files are named by a hash of their content and served for a year under it; the plain
// paths keep working, without the long cache lifetime, and so does a stale hash.
func TestStaticHashedURLs(t *testing.T) {
	t.Parallel()
	st := testStatic(t)
	h := &Handler{static: st}
	css, err := st.url("app.css")
	require.NoError(t, err)
	require.Regexp(t, `^/static/app\.css\?v=[0-9a-f]{16}$`, css)
	js, err := st.url("vendor/htmx.min.js")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(js, "/static/vendor/htmx.min.js?v="), js)
	require.NotEqual(t, strings.SplitN(css, "=", 2)[1], strings.SplitN(js, "=", 2)[1], "hashes differ with content")
	_, err = st.url("nope.css")
	require.ErrorContains(t, err, `no static file "nope.css"`)

	for name, tc := range map[string]struct {
		path, cache string
	}{
		// The hashed URL a page links to.
		"hashed": {css, "public, max-age=31536000, immutable"},
		// The old path: the same file, cached as before.
		"plain": {"/static/app.css", ""},
		// A hash of older content: not promised for a year.
		"stale hash": {"/static/app.css?v=0123456789abcdef", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.Static(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			require.Equal(t, http.StatusOK, rec.Code)
			require.Equal(t, tc.cache, rec.Header().Get("Cache-Control"))
			require.Contains(t, rec.Header().Get("Content-Type"), "text/css")
			require.NotEmpty(t, rec.Body.String())
		})
	}
}
