package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/pgtest"
	"fmn/pkg/message"
)

// TestPlansUseIndexes loads 50,000 messages over three weeks (2,000 users, 500 packages, 20
// categories, 200 topics, skewed like a real bus) and checks that the page and count
// statements of the ten benchmark queries read indexes, never a whole partition of
// messages, and stop at a LIMIT. Run with -v to see the plans.
func TestPlansUseIndexes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 50,000 messages")
	}
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) // a Thursday: the current partition is half full
	pool := pgtest.Pool(t)
	s := NewStore(pool, func() time.Time { return now })
	rng := rand.New(rand.NewPCG(50, 0))
	// skewed picks from n names, the first ones far more often.
	skewed := func(prefix string, n int) string {
		f := rng.Float64()
		return fmt.Sprintf("%s%d", prefix, int(f*f*f*float64(n)))
	}
	const total, batch = 50000, 5000
	for b := 0; b < total/batch; b++ {
		msgs := make([]message.Message, batch)
		for i := range msgs {
			n := b*batch + i
			cat := skewed("app", 20)
			m := message.Message{ID: fmt.Sprintf("m%06d", n), SentAt: now.Add(-time.Duration(rng.IntN(21*24*3600)) * time.Second),
				Topic: "org.fedoraproject.prod." + cat + "." + skewed("event", 10), App: cat, Severity: message.SeverityInfo,
				Usernames: []string{skewed("user", 2000)}, Body: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
			if rng.IntN(2) == 0 {
				m.Artifacts = []message.Artifact{{Type: message.ArtifactRPM, Name: skewed("pkg", 500)}}
			}
			msgs[i] = m
		}
		require.NoError(t, s.Write(ctx, msgs))
	}
	for _, table := range partitioned {
		_, err := pool.Exec(ctx, "ANALYZE "+table)
		require.NoError(t, err)
	}

	for _, params := range []string{
		"user=user3&delta=172800",
		"category=app1&delta=172800",
		"topic=org.fedoraproject.prod.app0.event1&delta=172800",
		"not_package=pkg0&delta=172800",
		"category=app0&user=user5",
		"topic=org.fedoraproject.prod.app0.event0&user=user0",
		"user=user1&not_package=pkg2",
		"category=app0&topic=org.fedoraproject.prod.app0.event2",
		"category=app2&not_package=pkg0",
		"topic=org.fedoraproject.prod.app1.event0&not_package=pkg1",
		"user=user1&user=user2&user=user40&delta=2592000", // several values: branches merged
		"package=pkg3&category=app0&start=1700000000",     // a long window
	} {
		v, err := url.ParseQuery(params)
		require.NoError(t, err)
		q, err := ParseQuery(v, now)
		require.NoError(t, err)
		q.Page = 3
		for _, stmt := range []struct {
			name string
			sql  string
			args []any
		}{
			{"page", first(pageSQL(q)), second(pageSQL(q))},
			{"count", first(countSQL(q)), second(countSQL(q))},
		} {
			rows, err := pool.Query(ctx, "EXPLAIN "+stmt.sql, stmt.args...)
			require.NoError(t, err)
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			plan := strings.Join(lines, "\n")
			t.Logf("%s %s:\n%s", params, stmt.name, plan)
			top := strings.TrimSpace(lines[0])
			if stmt.name == "page" {
				// The page reads indexes in sent_at order and stops at its end.
				require.NotContains(t, plan, "Seq Scan", "%s %s", params, stmt.name)
				require.Contains(t, plan, "Index", "%s %s", params, stmt.name)
				require.True(t, strings.HasPrefix(top, "Limit"), "%s %s", params, stmt.name)
			} else {
				// The count stops at CountCap+1 rows; with fewer matches than that the planner
				// may rightly read a small partition whole (it needs every match anyway).
				require.True(t, strings.HasPrefix(top, "Aggregate") && strings.Contains(lines[1], "Limit"), "%s %s", params, stmt.name)
			}
		}
	}

	// Over CountCap matches, the total is a lower bound.
	q, err := ParseQuery(url.Values{"delta": {"4838400"}}, now)
	require.NoError(t, err)
	res, err := s.Search(ctx, q)
	require.NoError(t, err)
	require.Equal(t, CountCap, res.Total)
	require.True(t, res.TotalIsLowerBound)
	require.Equal(t, CountCap/q.RowsPerPage, res.Pages)
}

func first(s string, _ []any) string { return s }
func second(_ string, a []any) []any { return a }
