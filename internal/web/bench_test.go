package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/archive"
	"fmn/internal/config"
	"fmn/internal/population"
	"fmn/internal/population/popdb"
	"fmn/internal/preview"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/testkit/redistest"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// BenchmarkPages renders every page for a logged-in administrator with 100k users in the
// database: the server time of one request, session and all (go test -bench Pages -run ^$
// ./internal/web/). The target is under 100 ms a page.
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	pool := pgtest.Pool(b)
	pop := population.Generate(population.Config{Users: 100_000, Seed: 1})
	start := time.Now()
	if _, err := popdb.Load(ctx, pool, pop); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d users in %v", len(pop.Users), time.Since(start).Round(time.Millisecond))
	rdb, prefix := redistest.Client(b)
	cfg := Config{SSESecret: config.Secret(strings.Repeat("s", 32)), StreamURL: "http://127.0.0.1:8082/stream", StreamTokenTTL: time.Minute,
		PublicURL: "http://127.0.0.1:8080", DevLogin: true, SessionLifetime: time.Hour, SessionIdle: time.Hour}
	cfg.Redis.Prefix = prefix
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := newSite(cfg, Deps{Logger: logger, Registry: prometheus.NewRegistry()}, logger, backing{pool: pool, rdb: rdb})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	s.routes(mux)
	srv := s.protect(mux)

	// The busiest user: the one with the most filters and destinations.
	var name string
	if err := pool.QueryRow(ctx, `SELECT u.name FROM users u JOIN filters f ON f.user_id = u.id
		GROUP BY u.name ORDER BY count(*) DESC, u.name LIMIT 1`).Scan(&name); err != nil {
		b.Fatal(err)
	}
	if err := pgstore.New(pool).SetAdmin(ctx, name, true); err != nil {
		b.Fatal(err)
	}
	var filterID, userID int64
	if err := pool.QueryRow(ctx, `SELECT f.id, u.id FROM filters f JOIN users u ON u.id = f.user_id WHERE u.name = $1 LIMIT 1`, name).Scan(&filterID, &userID); err != nil {
		b.Fatal(err)
	}
	// A full preview window of corpus messages, mapped onto the population, in the archive.
	corpus, err := pop.MappedCorpus()
	if err != nil {
		b.Fatal(err)
	}
	window := make([]message.Message, 0, preview.Window)
	for len(window) < preview.Window {
		for _, m := range corpus {
			m.ID = fmt.Sprintf("%s-%d", m.ID, len(window))
			window = append(window, m)
		}
	}
	for i := range window {
		window[i].SentAt = time.Now().Add(-time.Duration(i) * time.Second) // within the preview's days
	}
	if err := archive.NewStore(pool, time.Now).Write(ctx, window[:preview.Window]); err != nil {
		b.Fatal(err)
	}

	login := httptest.NewRequest("POST", "/login/dev", strings.NewReader(url.Values{"name": {name}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, login)
	if rec.Code != http.StatusSeeOther || len(rec.Result().Cookies()) == 0 {
		b.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	cookie := rec.Result().Cookies()[0]

	pages := []struct{ name, path string }{
		{"login", "/login"}, {"filters", "/filters"}, {"filter-new", "/filters/new?preset=mine"},
		{"filter-edit", fmt.Sprintf("/filters/%d", filterID)}, {"destinations", "/destinations"}, {"tokens", "/tokens"},
		{"live", "/live"}, {"why", "/why?message=" + url.QueryEscape(window[preview.Window-1].ID) + fmt.Sprintf("&filter=%d", filterID)},
		{"admin-users", "/admin/users"}, {"admin-users-search", "/admin/users?q=" + name[:2]},
		{"admin-dead-letters", "/admin/dead-letters"}, {"admin-status", "/admin/status"}, {"api-doc", "/api"},
	}
	for _, pg := range pages {
		path := pg.path
		b.Run(pg.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				if path != "/login" { // logged in, the login page redirects
					req.AddCookie(cookie)
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
				}
			}
		})
	}

	// The editor's Preview button: the filter evaluated over the whole window.
	f, err := pgstore.New(pool).Filter(ctx, prefs.User{ID: userID}, filterID)
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"name": {f.Name}, "enabled": {"1"}, "n": {strconv.Itoa(len(f.Conditions))}, "action": {"preview"}}
	for i, c := range f.Conditions {
		k := "c" + strconv.Itoa(i) + "."
		form.Set(k+"field", string(c.Field))
		form.Set(k+"op", string(c.Op))
		form.Set(k+"values", strings.Join(c.Values, "\n"))
		form.Set(k+"path", c.Path)
		form.Set(k+"type", c.ArtifactType)
		if c.Negate {
			form.Set(k+"negate", "1")
		}
	}
	b.Run("preview", func(b *testing.B) {
		for b.Loop() {
			req := httptest.NewRequest("POST", fmt.Sprintf("/filters/%d", filterID), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "preview-summary") {
				b.Fatalf("preview: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
