package report

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCompareSink: the sinks' comparison counts what it must.
func TestCompareSink(t *testing.T) {
	t.Parallel()
	r := CompareSink("irc", map[string]int{"a": 2, "b": 1, "c": 1}, map[string]int{"a": 3, "b": 1, "x": 2}, nil)
	require.Equal(t, SinkResult{Name: "irc", Expected: 4, Delivered: 3, Lost: 1, Duplicated: 1, Unexpected: 2,
		Differences: []string{"received 3 times, expected 2: a", "unexpected: x", "lost 1: c"}}, r)

	// What arrived says when: the first and last three arrivals of a repeated one.
	t0 := time.Date(2026, 12, 1, 20, 0, 0, 0, time.Local)
	var ts []time.Time
	for i := range 8 {
		ts = append(ts, t0.Add(time.Duration(i)*time.Second))
	}
	r = CompareArrivals("email", map[string]int{"a": 1}, map[string][]time.Time{"a": ts})
	require.Equal(t, 7, r.Duplicated)
	require.Equal(t, []string{"received 8 times, expected 1: a (at 20:00:00.000, 20:00:01.000, 20:00:02.000, …, 20:00:05.000, 20:00:06.000, 20:00:07.000)"}, r.Differences)
}
