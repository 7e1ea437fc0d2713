package archive_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/internal/testkit/pgtest"
	"fmn/pkg/message"
)

var (
	testUsers      = []string{"alice", "bob", "carol", "dave", "eve", "frank"}
	testPackages   = []string{"kernel", "gcc", "glibc", "python3", "rust"}
	testCategories = []string{"bodhi", "koji", "pagure", "copr"}
	testWords      = []string{"alpha", "beta", "gamma", "delta"}
)

func testTopic(cat string, i int) string {
	return fmt.Sprintf("org.fedoraproject.prod.%s.event%d", cat, i)
}

// writeRandom writes n random messages sent in the five weeks before now (some at the same instant)
// and returns them as the archive gives them back, ids included.
func writeRandom(t *testing.T, s *archive.Store, n int, now time.Time, rng *rand.Rand) []archive.Message {
	t.Helper()
	ctx := context.Background()
	pick := func(from []string, most int) []string {
		var out []string
		for _, v := range from {
			if rng.IntN(len(from)) < most {
				out = append(out, v)
			}
		}
		slices.Sort(out)
		return out
	}
	msgs := make([]message.Message, n)
	for i := range msgs {
		cat := testCategories[rng.IntN(len(testCategories))]
		sent := now.Add(-time.Duration(rng.IntN(35*24)) * time.Hour) // whole hours: many ties
		m := message.Message{ID: fmt.Sprintf("msg-%04d", i), SentAt: sent, Topic: testTopic(cat, rng.IntN(3)), App: cat,
			Severity: message.SeverityInfo, Usernames: pick(testUsers, 2),
			Body: json.RawMessage(fmt.Sprintf(`{"word":"%s-%d","n":%d}`, testWords[rng.IntN(len(testWords))], rng.IntN(3), i))}
		for _, p := range pick(testPackages, 1) {
			m.Artifacts = append(m.Artifacts, message.Artifact{Type: message.ArtifactRPM, Name: p})
		}
		msgs[i] = m
	}
	require.NoError(t, s.Write(ctx, msgs))
	var out []archive.Message
	for _, m := range msgs {
		got, err := s.Get(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, m.Usernames, nilIfEmpty(got.Usernames))
		require.Equal(t, m.Packages(), nilIfEmpty(got.Packages))
		out = append(out, got)
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// bruteForce answers q by looking at every message.
func bruteForce(all []archive.Message, q archive.Query) []archive.Message {
	anyIn := func(have, want []string) bool {
		for _, w := range want {
			if slices.Contains(have, w) {
				return true
			}
		}
		return false
	}
	var out []archive.Message
	for _, m := range all {
		ok := !m.SentAt.Before(q.Start) && !m.SentAt.After(q.End) &&
			(len(q.Users) == 0 || anyIn(m.Usernames, q.Users)) &&
			(len(q.Packages) == 0 || anyIn(m.Packages, q.Packages)) &&
			(len(q.Categories) == 0 || slices.Contains(q.Categories, m.Category)) &&
			(len(q.Topics) == 0 || slices.Contains(q.Topics, m.Topic)) &&
			!anyIn(m.Usernames, q.NotUsers) && !anyIn(m.Packages, q.NotPackages) &&
			!slices.Contains(q.NotCategories, m.Category) && !slices.Contains(q.NotTopics, m.Topic)
		if ok && len(q.Contains) > 0 {
			ok = slices.ContainsFunc(q.Contains, func(c string) bool { return strings.Contains(string(m.Body), c) })
		}
		if ok {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b archive.Message) int {
		c := a.SentAt.Compare(b.SentAt)
		if c == 0 {
			c = int(a.ID - b.ID)
		}
		if !q.Asc {
			c = -c
		}
		return c
	})
	return out
}

// randomQuery makes the URL parameters of a random query over the corpus's values.
func randomQuery(rng *rand.Rand, now time.Time) url.Values {
	v := url.Values{}
	some := func(name string, from []string, p float64) {
		if rng.Float64() >= p {
			return
		}
		for range 1 + rng.IntN(3) {
			v.Add(name, from[rng.IntN(len(from))])
		}
	}
	var topics []string
	for _, c := range testCategories {
		for i := range 3 {
			topics = append(topics, testTopic(c, i))
		}
	}
	var words []string
	for _, w := range testWords {
		words = append(words, w, w+"-1")
	}
	some("user", testUsers, 0.35)
	some("package", testPackages, 0.3)
	some("category", testCategories, 0.3)
	some("topic", topics, 0.3)
	some("contains", words, 0.15)
	some("not_user", testUsers, 0.2)
	some("not_package", testPackages, 0.2)
	some("not_category", testCategories, 0.15)
	some("not_topic", topics, 0.15)
	switch rng.IntN(4) {
	case 0:
		v.Set("delta", strconv.Itoa(3600*(1+rng.IntN(30*24))))
	case 1:
		v.Set("start", strconv.FormatInt(now.Add(-time.Duration(rng.IntN(36*24))*time.Hour).Unix(), 10))
	case 2:
		end := now.Add(-time.Duration(rng.IntN(20*24)) * time.Hour)
		v.Set("end", end.Format(time.RFC3339))
		v.Set("start", end.Add(-time.Duration(rng.IntN(15*24))*time.Hour).Format(time.RFC3339))
	}
	if rng.IntN(2) == 0 {
		v.Set("rows_per_page", strconv.Itoa(1+rng.IntN(30)))
	}
	if rng.IntN(2) == 0 {
		v.Set("page", strconv.Itoa(1+rng.IntN(5)))
	}
	if rng.IntN(3) == 0 {
		v.Set("order", "asc")
	}
	if len(v["contains"]) > 0 && v.Get("start") == "" {
		v.Set("delta", strconv.Itoa(3600*(1+rng.IntN(30*24))))
	}
	return v
}

func msgIDs(ms []archive.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.MsgID
	}
	return out
}

// TestSearchMatchesBruteForce runs random queries (every parameter, alone and combined, in
// both orders, paged) and compares each page and total with a filter of the same messages in Go.
func TestSearchMatchesBruteForce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := archive.NewStore(pgtest.Pool(t), func() time.Time { return now })
	rng := rand.New(rand.NewPCG(8, 8))
	all := writeRandom(t, s, 400, now, rng)

	nonEmpty := 0
	for i := range 400 {
		v := randomQuery(rng, now)
		q, err := archive.ParseQuery(v, now)
		require.NoError(t, err, "query %d: %s", i, v.Encode())
		want := bruteForce(all, q)
		res, err := s.Search(ctx, q)
		require.NoError(t, err, "query %d: %s", i, v.Encode())
		lo := min((q.Page-1)*q.RowsPerPage, len(want))
		hi := min(lo+q.RowsPerPage, len(want))
		require.Equal(t, msgIDs(want[lo:hi]), msgIDs(res.Messages), "query %d: %s", i, v.Encode())
		require.Equal(t, len(want), res.Total, "query %d: %s", i, v.Encode())
		require.False(t, res.TotalIsLowerBound)
		require.Equal(t, (len(want)+q.RowsPerPage-1)/q.RowsPerPage, res.Pages, "query %d: %s", i, v.Encode())
		require.Equal(t, len(res.Messages), res.Count)
		if len(res.Messages) > 0 {
			nonEmpty++
		}
	}
	require.Greater(t, nonEmpty, 150, "most queries find something, so the comparison means something")
}

// TestSearchCombinations checks the ten combinations of the benchmark, each with two
// values where a parameter takes them, against the brute-force answer.
func TestSearchCombinations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := archive.NewStore(pgtest.Pool(t), func() time.Time { return now })
	all := writeRandom(t, s, 300, now, rand.New(rand.NewPCG(1, 2)))
	for _, params := range benchmarkCombinations() {
		for _, order := range []string{"desc", "asc"} {
			v, err := url.ParseQuery(params + "&rows_per_page=7&page=2&order=" + order)
			require.NoError(t, err)
			if !v.Has("delta") { // the whole corpus rather than the default week
				v.Set("delta", strconv.Itoa(36*24*3600))
			}
			q, err := archive.ParseQuery(v, now)
			require.NoError(t, err)
			want := bruteForce(all, q)
			require.Greater(t, len(want), 7, "%s finds more than a page", params)
			res, err := s.Search(ctx, q)
			require.NoError(t, err)
			require.Equal(t, msgIDs(want[7:min(14, len(want))]), msgIDs(res.Messages), params)
			require.Equal(t, len(want), res.Total, params)
		}
	}
}

// benchmarkCombinations are the ten query shapes over the test corpus's values.
func benchmarkCombinations() []string {
	delta := "delta=" + strconv.Itoa(30*24*3600)
	topics := "topic=" + testTopic("bodhi", 0) + "&topic=" + testTopic("koji", 1)
	return []string{
		"user=alice&user=bob&" + delta,
		"category=bodhi&" + delta,
		topics + "&" + delta,
		"not_package=kernel&" + delta,
		"category=bodhi&category=koji&user=carol",
		topics + "&user=alice&user=dave",
		"user=bob&not_package=gcc&not_package=rust",
		"category=bodhi&" + topics,
		"category=koji&not_package=glibc",
		topics + "&not_package=python3",
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := archive.NewStore(pgtest.Pool(t), func() time.Time { return now })
	in := message.Message{ID: "one", SentAt: now.Add(-time.Hour), Topic: "org.fedoraproject.prod.bodhi.update.comment",
		App: "bodhi", Agent: "bob", Severity: message.SeverityWarning, Summary: "bob commented", URL: "https://example.org/u/1",
		Usernames: []string{"alice", "bob"}, Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}},
		Body: json.RawMessage(`{"comment":{"text":"hi"}}`)}
	require.NoError(t, s.Write(ctx, []message.Message{in}))

	got, err := s.Get(ctx, "one")
	require.NoError(t, err)
	require.Equal(t, archive.Message{ID: got.ID, MsgID: "one", SentAt: in.SentAt, Topic: in.Topic, Category: "bodhi", Agent: "bob",
		Severity: int(message.SeverityWarning), Summary: "bob commented", URL: "https://example.org/u/1",
		Usernames: []string{"alice", "bob"}, Packages: []string{"kernel"}, Body: json.RawMessage(`{"comment": {"text": "hi"}}`)}, got)

	_, err = s.Get(ctx, "two")
	require.ErrorIs(t, err, archive.ErrNotFound)
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour

	t.Run("windows", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name       string
			params     string
			start, end time.Time
		}{
			// Neither start nor delta: the last DefaultWindow.
			{"default", "", now.Add(-archive.DefaultWindow), now},
			// delta alone ends now.
			{"delta", "delta=3600", now.Add(-time.Hour), now},
			// delta after start.
			{"start and delta", "start=1700000000&delta=60", time.Unix(1700000000, 0), time.Unix(1700000060, 0)},
			// delta before end.
			{"end and delta", "end=2026-11-20&delta=86400", now.Add(-4*day - 12*time.Hour), now.Add(-3*day - 12*time.Hour)},
			// start alone ends now.
			{"start", "start=2026-11-20T12:00:00Z", now.Add(-3 * day), now},
			// end alone: DefaultWindow before it.
			{"end", "end=1700000000.5", time.Unix(1700000000, 5e8).Add(-archive.DefaultWindow), time.Unix(1700000000, 5e8)},
			// start and end: delta is redundant.
			{"start, end and delta", "start=2026-11-01T00:00:00%2B01:00&end=2026-11-02T00:00&delta=5",
				time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)},
		} {
			v, err := url.ParseQuery(tc.params)
			require.NoError(t, err)
			q, err := archive.ParseQuery(v, now)
			require.NoError(t, err, tc.name)
			require.True(t, tc.start.Equal(q.Start), "%s: start %s, want %s", tc.name, q.Start, tc.start)
			require.True(t, tc.end.Equal(q.End), "%s: end %s, want %s", tc.name, q.End, tc.end)
		}
	})

	t.Run("values", func(t *testing.T) {
		t.Parallel()
		v, err := url.ParseQuery("user=a&user=b&user=a&not_topic=t&page=3&rows_per_page=100&order=asc")
		require.NoError(t, err)
		q, err := archive.ParseQuery(v, now)
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, q.Users, "repeats are dropped")
		require.Equal(t, []string{"t"}, q.NotTopics)
		require.Equal(t, 3, q.Page)
		require.Equal(t, 100, q.RowsPerPage)
		require.True(t, q.Asc)
		q, err = archive.ParseQuery(url.Values{}, now)
		require.NoError(t, err)
		require.Equal(t, 1, q.Page)
		require.Equal(t, 25, q.RowsPerPage)
		require.False(t, q.Asc)
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		many := strings.Repeat("user=x&", archive.MaxValues) + "user=y"
		for _, tc := range []struct {
			params, param string
		}{
			{"delta=abc", "delta"},                             // not a number
			{"delta=-5", "delta"},                              // not positive
			{"delta=0", "delta"},                               // not positive
			{"delta=NaN", "delta"},                             // not a number
			{"delta=1e12", "delta"},                            // absurd
			{"start=yesterday", "start"},                       // not a time
			{"start=-1", "start"},                              // before 1970
			{"end=99999999999999", "end"},                      // after 9999
			{"start=1700000000&end=1600000000", "end"},         // end before start
			{"start=1000&end=1700000000", "start"},             // window too long
			{"contains=x&delta=5000000", "contains"},           // contains over a long window
			{"contains=x&start=1600000000", "contains"},        // the same, by start
			{"user=", "user"},                                  // empty value
			{"package=" + strings.Repeat("p", 256), "package"}, // too long
			{many, "user"},                                     // too many values
			{"page=0", "page"},                                 // 1-based
			{"page=x", "page"},                                 // not a number
			{"page=1000&rows_per_page=25", "page"},             // beyond the counted messages
			{"rows_per_page=101", "rows_per_page"},             // too large
			{"rows_per_page=0", "rows_per_page"},               // too small
			{"order=up", "order"},                              // neither asc nor desc
			{"users=alice", "users"},                           // a typo: datagrepper's parameter is user
			{"page=1&page=2", "page"},                          // twice
		} {
			v, err := url.ParseQuery(tc.params)
			require.NoError(t, err)
			_, err = archive.ParseQuery(v, now)
			var pe *archive.ParamError
			require.True(t, errors.As(err, &pe), "%s: %v", tc.params, err)
			require.Equal(t, tc.param, pe.Param, "%s: %v", tc.params, err)
			require.NotEmpty(t, pe.Reason)
		}
	})
}

// TestQueryArguments checks the datagrepper "arguments" shape of a query.
func TestQueryArguments(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000000, 0)
	q, err := archive.ParseQuery(url.Values{"delta": {"60"}, "category": {"bodhi"}}, now)
	require.NoError(t, err)
	b, err := json.Marshal(q)
	require.NoError(t, err)
	require.JSONEq(t, `{"start":1699999940,"end":1700000000,"delta":60,"page":1,"rows_per_page":25,"order":"desc",
		"users":[],"packages":[],"categories":["bodhi"],"topics":[],"contains":[],
		"not_users":[],"not_packages":[],"not_categories":[],"not_topics":[]}`, string(b))
}

// TestSearchPastDeadline checks that a search cut short by its deadline says so.
func TestSearchPastDeadline(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := archive.NewStore(pgtest.Pool(t), func() time.Time { return now })
	q, err := archive.ParseQuery(url.Values{}, now)
	require.NoError(t, err)
	ctx, cancel := context.WithDeadline(context.Background(), now) // long past
	defer cancel()
	_, err = s.Search(ctx, q)
	require.ErrorIs(t, err, archive.ErrTooSlow)
}
