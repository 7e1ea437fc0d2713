// Package report holds what a load run (internal/loadtest) reports, as fmnbench load prints it
// (WriteText) or encodes it as JSON: the run's population and transport ceiling, and for every
// phase its throughput, latency, backlogs, CPU seconds, the exactly-once check of every sink
// (CompareSink) and the faults injected.
package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Report is a run's result.
type Report struct {
	Machine      string        `json:"machine"`
	Users        int           `json:"users"`
	Filters      int           `json:"filters"`
	Heavy        float64       `json:"heavy_share,omitempty"`
	Messages     int           `json:"messages"`
	PayloadBytes int           `json:"payload_bytes"`
	Archive      bool          `json:"archive"`
	Ceiling      *Ceiling      `json:"ceiling,omitempty"`
	Phases       []PhaseResult `json:"phases"`
}

// Add appends a phase, with its ratio to the single-hop ceiling when it ran at full speed.
func (r *Report) Add(p PhaseResult) {
	if r.Ceiling != nil && r.Ceiling.SingleHop > 0 && p.Rate == 0 {
		p.CeilingRatio = p.MsgPerSec / r.Ceiling.SingleHop
	}
	r.Phases = append(r.Phases, p)
}

// Ceiling is the transport's limit on this machine: bare hops with fmn's message sizes,
// persistent delivery, publisher confirms and manual acks, and no work.
type Ceiling struct {
	Messages     int     `json:"messages"`
	PayloadBytes int     `json:"payload_bytes"`
	SingleHop    float64 `json:"single_hop_msg_per_s"`
	TwoHop       float64 `json:"two_hop_msg_per_s"`
}

// PhaseResult is one phase: a fresh set of processes draining Messages messages.
type PhaseResult struct {
	Name    string  `json:"name"`
	Workers int     `json:"workers"`
	Rate    float64 `json:"target_rate,omitempty"`
	// Messages is the number of bus messages published.
	Messages int `json:"messages"`
	// Expected is the notifications the filters call for; Delivered those stored once; Lost,
	// Duplicated and Unexpected must be 0.
	Expected   int `json:"expected"`
	Delivered  int `json:"delivered"`
	Lost       int `json:"lost"`
	Duplicated int `json:"duplicated"`
	Unexpected int `json:"unexpected"`
	// DrainSeconds runs from the first publish to the last notification stored.
	DrainSeconds float64 `json:"drain_s"`
	MsgPerSec    float64 `json:"msg_per_s"`
	NotifPerSec  float64 `json:"notifications_per_s"`
	// CeilingRatio is MsgPerSec over the single-hop ceiling.
	CeilingRatio float64            `json:"ceiling_ratio,omitempty"`
	MaxBacklog   map[string]int     `json:"max_backlog"`
	Latency      Latency            `json:"latency"`
	CPUSeconds   map[string]float64 `json:"cpu_s"`
	// MatchMicros is the workers' mean time to match one message, from their histograms.
	MatchMicros float64 `json:"match_us"`
	// Kills counts the processes killed and restarted during the phase, by name.
	Kills map[string]int `json:"kills,omitempty"`
	// Faults are the faults injected (loadtest.Config.Faults); Sinks what each sink received.
	// With faults, Lost, Duplicated and Unexpected add up every sink.
	Faults []FaultResult `json:"faults,omitempty"`
	Sinks  []SinkResult  `json:"sinks,omitempty"`
	Errors []string      `json:"errors,omitempty"`
}

// FaultResult is one injected fault.
type FaultResult struct {
	Kind string `json:"kind"`
	// Target is the process killed, for the kill faults.
	Target string `json:"target,omitempty"`
	// AtSeconds is when it began, from the phase's first publish.
	AtSeconds float64 `json:"at_s"`
	// DownSeconds runs from the injection until the service (or process) was back.
	DownSeconds float64 `json:"down_s"`
	// Channel is the sink whose progress shows the recovery: sse, email or irc.
	Channel string `json:"channel"`
	// RecoverySeconds runs from the service being back until Channel delivered again; -1 when
	// nothing was left to deliver on it.
	RecoverySeconds float64 `json:"recovery_s"`
	// DeliveredDuring counts what all sinks received from the injection until the service was back.
	DeliveredDuring int    `json:"delivered_during"`
	Error           string `json:"error,omitempty"`
}

// Latency summarises delays in milliseconds.
type Latency struct {
	Samples int     `json:"samples"`
	P50     float64 `json:"p50_ms"`
	P95     float64 `json:"p95_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
}

// Summarise is the latency of delays ds (which it sorts).
func Summarise(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	q := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	return Latency{Samples: len(ds), P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: float64(ds[len(ds)-1].Microseconds()) / 1000}
}

// Round rounds v to digits decimals, as the report's figures are.
func Round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

// Counts writes m as "k=v" pairs in key order.
func Counts(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
