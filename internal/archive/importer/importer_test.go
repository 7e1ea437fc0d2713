package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/internal/archive/importer"
	"fmn/internal/testkit/pgtest"
)

func importFiles(t *testing.T, batch int, names ...string) (importer.Summary, func(q string, args ...any) int) {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	imp, err := importer.New(importer.Config{Batch: batch}, importer.Deps{Writer: archive.NewStore(pool, func() time.Time { return now })})
	require.NoError(t, err)
	var total importer.Summary
	for _, n := range names {
		f, err := os.Open(filepath.Join("testdata", n))
		require.NoError(t, err)
		sum, err := imp.Import(ctx, n, f)
		f.Close()
		require.NoError(t, err)
		total.Add(sum)
	}
	return total, func(q string, args ...any) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, q, args...).Scan(&n))
		return n
	}
}

func problems(s importer.Summary) []string {
	var out []string
	for _, p := range s.Problems {
		out = append(out, p.File+":"+strings.SplitN(p.String(), ":", 3)[1])
	}
	return out
}

func TestImportPrettyPrintedPage(t *testing.T) {
	t.Parallel()
	sum, count := importFiles(t, 1, "page.json")
	require.Equal(t, 2, sum.Messages)
	require.Equal(t, 1, sum.Malformed)
	require.Equal(t, []string{"page.json:39"}, problems(sum), "the message without msg_id, by the line it starts on")
	require.Contains(t, sum.Problems[0].Reason, "msg_id")

	require.Equal(t, 1, count(`SELECT count(*) FROM messages WHERE msg_id = '2024-6d9f1c3e-4b7a-4e0e-9d0b-2b1f2d5c8a01'
		AND category = 'koji' AND packages = '{kernel}' AND 'jforbes' = ANY(usernames)
		AND sent_at = to_timestamp(1729500000.25)`), "the raw timestamp and what extraction finds")
	require.Equal(t, 1, count(`SELECT count(*) FROM message_packages WHERE name = 'firefox'`), "the headers are the authority")
	require.Equal(t, 1, count(`SELECT count(*) FROM messages WHERE msg_id LIKE '2024-0a1b%' AND sent_at = '2024-10-21T08:40:01Z'`),
		"sent-at header wins over the raw timestamp")
}

func TestImportJSONLInBothShapesAndPagesPerLine(t *testing.T) {
	t.Parallel()
	sum, count := importFiles(t, 2, "raw.jsonl", "bus.jsonl")
	require.Equal(t, 5, sum.Messages)
	require.Equal(t, 3, sum.Malformed)
	require.Equal(t, []string{"raw.jsonl:2", "raw.jsonl:4", "bus.jsonl:3"}, problems(sum))
	require.Contains(t, sum.Problems[0].Reason, "not valid JSON")
	require.Contains(t, sum.Problems[1].Reason, "topic")

	require.Equal(t, 5, count(`SELECT count(*) FROM messages`))
	require.Equal(t, 1, count(`SELECT count(*) FROM messages WHERE category = 'copr' AND sent_at = to_timestamp(1729600002.5)`))
	require.Equal(t, 1, count(`SELECT count(*) FROM message_packages WHERE name = 'uboot-tools'`), "dist-git push extracted")
	require.Equal(t, 1, count(`SELECT count(*) FROM message_users WHERE name = 'ralph'`), "bus-shaped badge extracted")
	require.Equal(t, 1, count(`SELECT count(*) FROM messages WHERE category = 'anitya'`), "a page on one line")
}

func TestImportAgainChangesNothing(t *testing.T) {
	t.Parallel()
	sum, count := importFiles(t, 1000, "page.json", "page.json")
	require.Equal(t, 4, sum.Messages, "both imports count their messages")
	require.Equal(t, 2, count(`SELECT count(*) FROM messages`))
	require.Equal(t, 2, count(`SELECT count(*) FROM message_packages`))
}

func TestImportGarbage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	imp, err := importer.New(importer.Config{}, importer.Deps{Writer: archive.NewStore(pool, time.Now)})
	require.NoError(t, err)
	for name, in := range map[string]string{
		// A first document that does not parse: read as lines, each reported.
		"pretty broken": "{\n  \"raw_messages\": [\n    {\"msg_id\": \"x\",\n",
		// A later one: reported once, where it starts.
		"second broken": "{\n  \"raw_messages\": []\n}\n{\n  \"raw_messages\": [\n",
		"not json":      "hello\nworld\n",
		"latin1":        "{\"msg_id\": \"a\", \"topic\": \"t\", \"msg\": {\"u\": \"\xe9\"}}\n",
		"empty":         "",
		"array":         "[1, 2]\n",
	} {
		sum, err := imp.Import(ctx, name, strings.NewReader(in))
		require.NoError(t, err, name)
		require.Zero(t, sum.Messages, name)
		require.Equal(t, map[string]int{"pretty broken": 3, "second broken": 1, "not json": 2, "latin1": 1, "empty": 0, "array": 1}[name], sum.Malformed, name)
		for _, p := range sum.Problems {
			require.Positive(t, p.Line, name)
		}
		if name == "second broken" {
			require.Equal(t, 4, sum.Problems[0].Line)
		}
	}
	_, err = importer.New(importer.Config{}, importer.Deps{})
	require.Error(t, err, "a writer is required")
}
