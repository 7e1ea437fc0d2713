package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/pgtest"
)

// TestImportOwnershipCmd runs the command against the importer's recorded-style pages.
func TestImportOwnershipCmd(t *testing.T) {
	db := pgtest.DB(t)
	t.Setenv("FMN_DATABASE_URL", db)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/0/projects", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", "ownership", "pagure", "testdata", q.Get("namespace")+"-page"+q.Get("page")+".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	})
	srv := httptest.NewUnstartedServer(mux)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"import-ownership", "-url", srv.URL, "-namespaces", "rpms, flatpaks", "-max-pages", "2"},
		strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), ": 7 projects, 19 owners, 3 pages, 0 skipped, in ")
	require.Contains(t, stdout.String(), "stopped at -max-pages=2 before the end of: rpms")

	conn, err := pgx.Connect(context.Background(), db)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), `SELECT count(*) FROM artifact_owners`).Scan(&n))
	require.Equal(t, 19, n)

	// A bad namespace is refused before anything is read.
	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"import-ownership", "-url", srv.URL, "-namespaces", "tests"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 1, code)
	require.Contains(t, stderr.String(), `namespace "tests" holds no artifacts`)
}
