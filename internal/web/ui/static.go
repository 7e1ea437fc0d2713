package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// immutable is the Cache-Control of a static file asked for by its hashed URL: the URL changes
// with the content, so a browser may keep it for a year without asking again.
const immutable = "public, max-age=31536000, immutable"

// static serves the embedded static files under /static/. A template names a file with
// {{static "app.css"}}, which gives /static/app.css?v=<hash of its content>; a request for the
// current hash is answered with a long cache lifetime. The plain paths keep working, without it.
type static struct {
	// hashes holds the content hash of every file, by its path under static/ ("vendor/htmx.min.js").
	hashes map[string]string
	files  http.Handler
}

// newStatic hashes every file of fsys's static directory.
func newStatic(fsys fs.FS) (*static, error) {
	s := &static{hashes: map[string]string{}, files: http.FileServerFS(fsys)}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		sum := sha256.Sum256(b)
		s.hashes[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:8])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash static files: %w", err)
	}
	return s, nil
}

// url returns the hashed URL of the static file name ("app.css"); an unknown name is an error
// (the page does not render).
func (s *static) url(name string) (string, error) {
	h, ok := s.hashes[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + name + "?v=" + h, nil
}

// Static serves GET /static/: the embedded files, for a year when asked for by their current
// hash.
func (h *Handler) Static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if v := r.URL.Query().Get("v"); v != "" && v == h.static.hashes[name] {
		w.Header().Set("Cache-Control", immutable)
	}
	h.static.files.ServeHTTP(w, r)
}
