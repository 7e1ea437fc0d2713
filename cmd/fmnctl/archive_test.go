package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/internal/testkit/pgtest"
)

// TestArchiveLoadAndImport fills an archive with synthetic messages (twice: the same flags add
// nothing), then imports the importer's fixtures, one of them from stdin.
func TestArchiveLoadAndImport(t *testing.T) {
	if _, err := corpus.Path(); err != nil {
		t.Skipf("corpus: %v", err)
	}
	db := pgtest.DB(t)
	t.Setenv("FMN_DATABASE_URL", db)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	count := func(q string) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, q).Scan(&n))
		return n
	}

	var stdout, stderr bytes.Buffer
	args := []string{"archive-load", "-n", "3000", "-days", "10", "-end", "2026-11-01", "-users", "500", "-batch", "700", "-workers", "3"}
	for range 2 {
		stdout.Reset()
		code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
		require.Equal(t, 0, code, stderr.String())
		require.Contains(t, stdout.String(), "archived 3000 of 3000 messages")
	}
	require.Equal(t, 3000, count(`SELECT count(*) FROM messages`))
	require.Equal(t, 0, count(`SELECT count(*) FROM messages WHERE sent_at < '2026-10-22' OR sent_at >= '2026-11-01'`))
	require.Positive(t, count(`SELECT count(*) FROM message_users`))

	stdout.Reset()
	stderr.Reset()
	page := strings.NewReader(`{"raw_messages": [{"msg_id": "stdin-1", "topic": "org.fedoraproject.prod.fas.user.create",
		"timestamp": 1729700000, "msg": {"user": "newbie", "agent": "newbie"}}]}`)
	code := run(ctx, []string{"import-messages", "-batch", "2", "../../internal/archive/importer/testdata/raw.jsonl", "-"}, page, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "raw.jsonl: 2 messages archived, 2 malformed")
	require.Contains(t, stdout.String(), "stdin: 1 messages archived, 0 malformed")
	require.Contains(t, stdout.String(), "total: 3 messages archived, 2 malformed")
	require.Contains(t, stderr.String(), "raw.jsonl:2: ")
	require.Contains(t, stderr.String(), "raw.jsonl:4: ")
	require.Equal(t, 3003, count(`SELECT count(*) FROM messages`))

	code = run(ctx, []string{"import-messages", "/nonexistent.jsonl"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 1, code)
	code = run(ctx, []string{"archive-load", "-n", "0"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 1, code)
}
