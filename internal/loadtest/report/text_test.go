package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWriteText pins fmnbench load's tables (scripts and BENCHMARKS.md read them): every part of
// a phase shows, in order.
func TestWriteText(t *testing.T) {
	t.Parallel()
	rep := &Report{Machine: "m", Users: 10, Filters: 40, Heavy: 0.1, Messages: 100, PayloadBytes: 900, Archive: true,
		Ceiling: &Ceiling{Messages: 100, PayloadBytes: 900, SingleHop: 12345, TwoHop: 6789},
		Phases: []PhaseResult{{Name: "p1-w1", Workers: 1, Messages: 100, Expected: 50, Delivered: 49, Lost: 1, Duplicated: 2, Unexpected: 1,
			DrainSeconds: 1.234, MsgPerSec: 81, NotifPerSec: 40, CeilingRatio: 0.5, MaxBacklog: map[string]int{"fmn.bus": 3, "fmn.work": 2},
			Latency: Latency{Samples: 3, P50: 1.5, P95: 2.5, P99: 3.5, Max: 4.5}, CPUSeconds: map[string]float64{"consumer": 1.23, "workers": 2.5},
			MatchMicros: 3.2, Kills: map[string]int{"worker": 2},
			Faults: []FaultResult{{Kind: "worker", Target: "worker-1", AtSeconds: 1.5, DownSeconds: 0.5, Channel: "sse", RecoverySeconds: -1, DeliveredDuring: 4},
				{Kind: "smtp", AtSeconds: 3, DownSeconds: 30, Channel: "email", RecoverySeconds: 2.25}},
			Sinks:  []SinkResult{{Name: "sse", Expected: 5, Delivered: 4, Lost: 1, Differences: []string{"lost 1: x"}}},
			Errors: []string{"boom"}},
			{Name: "latency-w1", Workers: 1, Rate: 40.4, Messages: 10}}}
	var b strings.Builder
	WriteText(&b, rep)
	require.Equal(t, want, b.String())
}

// want is what WriteText writes for TestWriteText's report.
const want = `machine: m
population: 10 users, 40 filters (10% with an always-verified filter); messages of 900 bytes on average; archive true
transport ceiling (100 messages): one hop 12345 msg/s, two hops 6789 msg/s
       phase  workers  rate  messages  drain s  msg/s  notif/s  /ceiling  p50 ms  p95 ms  p99 ms  max ms  expected  lost  dup  match µs
       p1-w1        1   max       100     1.23     81       40      0.50     1.5     2.5     3.5     4.5        50     1    3       3.2
  latency-w1        1    40        10     0.00      0        0         -     0.0     0.0     0.0     0.0         0     0    0       0.0

largest backlog (ready messages) and CPU seconds, per phase:
  p1-w1: backlog fmn.bus=3 fmn.work=2; cpu consumer=1.2 workers=2.5
    killed and restarted: worker=2
    fault worker worker-1 at 1.5 s: down 0.50 s, 4 delivered meanwhile, sse delivering again after nothing left to deliver
    fault smtp at 3.0 s: down 30.00 s, 0 delivered meanwhile, email delivering again after 2.25 s
    sink sse: expected 5, delivered 4, lost 1, duplicated 0, unexpected 0
      lost 1: x
    error: boom
  latency-w1: backlog ; cpu 
`
