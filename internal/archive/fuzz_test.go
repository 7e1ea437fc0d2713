package archive

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzParseQuery: any query string gives a query or a *ParamError naming a parameter; a query
// always has a window no longer than the limits and a page in range.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"user=alice&delta=604800", "category=bodhi&topic=org.fedoraproject.prod.bodhi.update.comment",
		"not_package=kernel&start=2026-11-01&end=2026-11-23T10:00:00", "contains=x&delta=1e308",
		"page=0&rows_per_page=1000000", "start=1700000000.5&end=1600000000", "order=desc&grouped=true&meta=usernames",
		"user=&user=a&user=b", "start=-1e20", "delta=NaN", "unknown=1",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return // not a query string the server would hand over
		}
		q, err := ParseQuery(v, now)
		if err != nil {
			var pe *ParamError
			require.True(t, errors.As(err, &pe), "%T: %v", err, err)
			require.NotEmpty(t, pe.Param)
			require.NotEmpty(t, pe.Reason)
			return
		}
		require.False(t, q.End.Before(q.Start), "window %s–%s", q.Start, q.End)
		require.LessOrEqual(t, q.End.Sub(q.Start), MaxWindow)
		require.GreaterOrEqual(t, q.Page, 1)
		require.GreaterOrEqual(t, q.RowsPerPage, 1)
	})
}
