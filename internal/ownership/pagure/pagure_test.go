package pagure_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"fmn/internal/ownership/pagure"
	"fmn/internal/testkit/pgtest"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// apiServer serves testdata/{namespace}-page{N}.json as /api/0/projects on 127.0.0.1. A handler
// in override, keyed "namespace/page", replaces a page.
type apiServer struct {
	url      string
	mu       sync.Mutex
	requests []string // "namespace/page" in order
	agents   []string
}

func newAPIServer(t *testing.T, override map[string]http.HandlerFunc) *apiServer {
	t.Helper()
	s := &apiServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/0/projects", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ns, page := q.Get("namespace"), q.Get("page")
		if q.Get("fork") != "false" || q.Get("per_page") != "3" || ns == "" {
			http.Error(w, `{"error": "bad query"}`, http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, ns+"/"+page)
		s.agents = append(s.agents, r.UserAgent())
		s.mu.Unlock()
		if h, ok := override[ns+"/"+page]; ok {
			h(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", ns+"-page"+page+".json"))
		if err != nil {
			http.Error(w, `{"error": "Page not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	srv := httptest.NewUnstartedServer(mux)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *apiServer) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

type testBundle struct {
	pool  *pgxpool.Pool
	store *pgstore.Store
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	pool := pgtest.Pool(t)
	return &testBundle{pool: pool, store: pgstore.New(pool)}
}

func (b *testBundle) importer(t *testing.T, url string, cfg pagure.Config) *pagure.Importer {
	t.Helper()
	cfg.BaseURL = url
	cfg.PerPage = 3
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	imp, err := pagure.New(cfg, pagure.Deps{Store: b.store, Now: func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}})
	require.NoError(t, err)
	return imp
}

// owners returns every ownership row as "type/name kind:owner", sorted.
func (b *testBundle) owners(t *testing.T) []string {
	t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT artifact_type || '/' || artifact_name || ' ' || owner_kind || ':' || owner
		FROM artifact_owners ORDER BY 1`)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}

// rpmsPage1 are the rows the first rpms page gives.
var rpmsPage1 = []string{
	"rpms/0ad user:ignatenkobrain",
	"rpms/0ad user:kwizart",
	"rpms/0ad user:pcpa",
	"rpms/bash group:shells-sig",
	"rpms/bash user:kdudka",
	"rpms/bash user:siteshwar",
	"rpms/kernel group:kernel-maint",
	"rpms/kernel user:jforbes",
	"rpms/kernel user:jwboyer",
	"rpms/kernel user:labbott",
}

func TestImport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	rpm := func(n string) message.Artifact { return message.Artifact{Type: message.ArtifactRPM, Name: n} }
	// Before: a stale owner of bash (replaced), a stale owner of the orphaned package (removed:
	// it has only ticket access now), and an artifact the API does not list (left alone).
	require.NoError(t, b.store.ApplyOwnership(ctx, []prefs.OwnershipChange{
		{Artifact: rpm("bash"), OwnerKind: prefs.OwnerUser, Owner: "formerowner"},
		{Artifact: rpm("orphaned-thing"), OwnerKind: prefs.OwnerUser, Owner: "gone"},
		{Artifact: rpm("unlisted"), OwnerKind: prefs.OwnerGroup, Owner: "somegroup"},
	}, nil))
	v0, err := b.store.Version(ctx)
	require.NoError(t, err)

	srv := newAPIServer(t, nil)
	sum, err := b.importer(t, srv.url, pagure.Config{}).Import(ctx)
	require.NoError(t, err)

	want := append(append([]string{}, rpmsPage1...),
		"containers/fedora-toolbox user:debarshir",
		"containers/fedora-toolbox user:kalev",
		"flatpaks/firefox group:flatpak-sig",
		"flatpaks/firefox user:kalev",
		"rpms/nodejs group:nodejs-sig",
		"rpms/nodejs user:sgallagh",
		"rpms/orphaned-thing user:orphan",
		"rpms/python3.12 group:python-sig",
		"rpms/python3.12 user:churchyard",
		"rpms/python3.12 user:frantisekz",
		"rpms/python3.12 user:thrnciar",
		"rpms/unlisted group:somegroup",
		"rpms/zsh group:shells-sig",
		"rpms/zsh user:kdudka",
	)
	require.ElementsMatch(t, want, b.owners(t))
	require.Equal(t, []string{"rpms/1", "rpms/2", "rpms/3", "container/1", "modules/1", "flatpaks/1"}, srv.seen())
	for _, ua := range srv.agents {
		require.Equal(t, pagure.DefaultUserAgent, ua)
	}
	require.Equal(t, pagure.Summary{Pages: 6, Projects: 9, Owners: len(want) - 1, Duration: time.Second}, sum)

	// One outbox row per page applied, so workers reload ownership.
	v1, err := b.store.Version(ctx)
	require.NoError(t, err)
	require.Greater(t, v1, v0)

	// Importing again changes nothing.
	_, err = b.importer(t, srv.url, pagure.Config{}).Import(ctx)
	require.NoError(t, err)
	require.ElementsMatch(t, want, b.owners(t))
}

func TestImportPageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
		applied int // pages applied before the error
	}{
		// A server error names the page and quotes the body.
		{"status 500", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "<html>Internal Server Error</html>", http.StatusInternalServerError)
		}, `page 2 (http://127.0.0.1:`, 1},
		// Cut-off JSON.
		{"malformed", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"pagination": {"next": null}, "projects": [{"name": "x"`))
		}, "decode JSON", 1},
		// Valid JSON that is not a projects page.
		{"not a projects page", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"error": "Invalid or expired token", "error_code": "EINVALIDTOK"}`))
		}, `no "pagination" or "projects"`, 1},
		// A next link that goes backwards would loop forever. The page itself (empty) is applied.
		{"next goes backwards", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"pagination": {"next": "https://src.fedoraproject.org/api/0/projects?page=1&namespace=rpms"}, "projects": []}`))
		}, "does not follow page 2", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			srv := newAPIServer(t, map[string]http.HandlerFunc{"rpms/2": tt.handler})
			sum, err := b.importer(t, srv.url, pagure.Config{}).Import(context.Background())
			var pe *pagure.PageError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, "rpms", pe.Namespace)
			require.Equal(t, 2, pe.Page)
			require.ErrorContains(t, err, "pagure namespace rpms page 2")
			require.ErrorContains(t, err, tt.want)
			// Page 1 stays applied; nothing after the failure was asked for.
			require.Equal(t, tt.applied, sum.Pages)
			require.ElementsMatch(t, rpmsPage1, b.owners(t))
			require.Equal(t, []string{"rpms/1", "rpms/2"}, srv.seen())
		})
	}
}

func TestImportStatusBody(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newAPIServer(t, map[string]http.HandlerFunc{"rpms/1": func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "<html>Internal Server Error</html>", http.StatusInternalServerError)
	}})
	_, err := b.importer(t, srv.url, pagure.Config{}).Import(context.Background())
	require.ErrorContains(t, err, `status 500 Internal Server Error: "<html>Internal Server Error</html>"`)
	require.Empty(t, b.owners(t))
}

func TestImportMaxPagesAndNamespaces(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newAPIServer(t, nil)
	sum, err := b.importer(t, srv.url, pagure.Config{Namespaces: []string{"rpms", "flatpaks"}, MaxPages: 2}).Import(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"rpms/1", "rpms/2", "flatpaks/1"}, srv.seen())
	require.Equal(t, []string{"rpms"}, sum.Truncated)
	require.Equal(t, 3, sum.Pages)
	require.NotContains(t, b.owners(t), "rpms/zsh user:kdudka")
}

func TestImportTimeout(t *testing.T) {
	t.Parallel()
	b := setup(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := newAPIServer(t, map[string]http.HandlerFunc{"rpms/1": func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}})
	_, err := b.importer(t, srv.url, pagure.Config{Timeout: time.Millisecond}).Import(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "page 1")
}

func TestImportCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newAPIServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.importer(t, srv.url, pagure.Config{}).Import(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, srv.seen())
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	store := pgstore.New(nil)
	for i, tt := range []struct {
		cfg  pagure.Config
		deps pagure.Deps
		want string
	}{
		{pagure.Config{BaseURL: "https://src.fedoraproject.org"}, pagure.Deps{}, "no store"},
		{pagure.Config{BaseURL: "src.fedoraproject.org"}, pagure.Deps{Store: store}, "base URL"},
		{pagure.Config{BaseURL: "ftp://x"}, pagure.Deps{Store: store}, "base URL"},
		{pagure.Config{BaseURL: "https://x", Namespaces: []string{"tests"}}, pagure.Deps{Store: store}, `namespace "tests" holds no artifacts`},
	} {
		_, err := pagure.New(tt.cfg, tt.deps)
		require.ErrorContains(t, err, tt.want, strconv.Itoa(i))
	}
	_, err := pagure.New(pagure.Config{BaseURL: "https://src.fedoraproject.org/"}, pagure.Deps{Store: store})
	require.NoError(t, err)
}

// failingStore fails on the second page.
type failingStore struct{ calls int }

func (f *failingStore) ReplaceArtifactOwners(context.Context, map[message.Artifact][]prefs.OwnershipChange) error {
	f.calls++
	if f.calls == 2 {
		return errors.New("database went away")
	}
	return nil
}

func TestImportStoreError(t *testing.T) {
	t.Parallel()
	srv := newAPIServer(t, nil)
	imp, err := pagure.New(pagure.Config{BaseURL: srv.url, PerPage: 3}, pagure.Deps{Store: &failingStore{}})
	require.NoError(t, err)
	_, err = imp.Import(context.Background())
	require.ErrorContains(t, err, fmt.Sprintf("pagure namespace rpms page 2 (%s/api/0/projects?", srv.url))
	require.ErrorContains(t, err, "database went away")
}
