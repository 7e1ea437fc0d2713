package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// SinkResult is what one sink received against what the filters call for: the users' SSE
// streams (sse), mailpit (email), the IRC receivers (irc, compared line by line per nick) or the
// delivery ledger's email and IRC rows (ledger).
type SinkResult struct {
	Name       string `json:"name"`
	Expected   int    `json:"expected"`
	Delivered  int    `json:"delivered"`
	Lost       int    `json:"lost"`
	Duplicated int    `json:"duplicated"`
	Unexpected int    `json:"unexpected"`
	// Differences shows the first few notifications lost, duplicated or unexpected.
	Differences []string `json:"differences,omitempty"`
}

// MaxDifferences bounds SinkResult.Differences.
const MaxDifferences = 10

// CompareSink compares what a sink received (key → times) with what it should have (key →
// times); detail, when set, adds to each difference shown (when the key arrived, say).
func CompareSink(name string, want, got map[string]int, detail func(key string) string) SinkResult {
	r := SinkResult{Name: name}
	for _, n := range want {
		r.Expected += n
	}
	show := func(format string, args ...any) {
		if len(r.Differences) < MaxDifferences {
			r.Differences = append(r.Differences, fmt.Sprintf(format, args...))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		n, w := got[k], want[k]
		more := ""
		if detail != nil {
			more = detail(k)
		}
		switch {
		case w == 0:
			r.Unexpected += n
			show("unexpected: %s%s", k, more)
		case n > w:
			r.Delivered += w
			r.Duplicated += n - w
			show("received %d times, expected %d: %s%s", n, w, k, more)
		default:
			r.Delivered += n
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] < want[k] {
			show("lost %d: %s", want[k]-got[k], k)
		}
	}
	r.Lost = r.Expected - r.Delivered
	return r
}

// CompareArrivals is CompareSink of what arrived when, by key; the differences say when.
func CompareArrivals(name string, want map[string]int, arrivals map[string][]time.Time) SinkResult {
	got := make(map[string]int, len(arrivals))
	for k, ts := range arrivals {
		got[k] = len(ts)
	}
	return CompareSink(name, want, got, func(k string) string {
		ts := arrivals[k]
		var at []string
		for i, t := range ts {
			if i == 3 && len(ts) > 6 { // the first three and the last three
				at = append(at, "…")
			}
			if i < 3 || i >= len(ts)-3 {
				at = append(at, t.Local().Format("15:04:05.000"))
			}
		}
		return " (at " + strings.Join(at, ", ") + ")"
	})
}

// Once expects every key of m once.
func Once[V any](m map[string]V) map[string]int {
	out := make(map[string]int, len(m))
	for k := range m {
		out[k] = 1
	}
	return out
}
