package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteText writes rep as fmnbench load's tables: the run, one row per phase, then each phase's
// backlogs, CPU seconds, kills, faults, sinks and errors.
func WriteText(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "machine: %s\n", rep.Machine)
	fmt.Fprintf(w, "population: %d users, %d filters", rep.Users, rep.Filters)
	if rep.Heavy > 0 {
		fmt.Fprintf(w, " (%.0f%% with an always-verified filter)", rep.Heavy*100)
	}
	fmt.Fprintf(w, "; messages of %d bytes on average; archive %t\n", rep.PayloadBytes, rep.Archive)
	if c := rep.Ceiling; c != nil {
		fmt.Fprintf(w, "transport ceiling (%d messages): one hop %.0f msg/s, two hops %.0f msg/s\n", c.Messages, c.SingleHop, c.TwoHop)
	}
	writePhaseTable(w, rep.Phases)
	fmt.Fprintln(w, "\nlargest backlog (ready messages) and CPU seconds, per phase:")
	for _, p := range rep.Phases {
		writePhaseDetails(w, p)
	}
}

// writePhaseTable writes one row per phase.
func writePhaseTable(w io.Writer, phases []PhaseResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tworkers\trate\tmessages\tdrain s\tmsg/s\tnotif/s\t/ceiling\tp50 ms\tp95 ms\tp99 ms\tmax ms\texpected\tlost\tdup\tmatch µs\t")
	for _, p := range phases {
		rate := "max"
		if p.Rate > 0 {
			rate = fmt.Sprintf("%.0f", p.Rate)
		}
		ratio := "-"
		if p.CeilingRatio > 0 {
			ratio = fmt.Sprintf("%.2f", p.CeilingRatio)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%.2f\t%.0f\t%.0f\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%.1f\t\n", p.Name, p.Workers, rate, p.Messages, p.DrainSeconds,
			p.MsgPerSec, p.NotifPerSec, ratio, p.Latency.P50, p.Latency.P95, p.Latency.P99, p.Latency.Max, p.Expected, p.Lost, p.Duplicated+p.Unexpected, p.MatchMicros)
	}
	tw.Flush()
}

// writePhaseDetails writes a phase's backlogs and CPU seconds, kills, faults, sinks and errors.
func writePhaseDetails(w io.Writer, p PhaseResult) {
	fmt.Fprintf(w, "  %s: backlog %s; cpu %s\n", p.Name, Counts(p.MaxBacklog), seconds(p.CPUSeconds))
	if len(p.Kills) > 0 {
		fmt.Fprintf(w, "    killed and restarted: %s\n", Counts(p.Kills))
	}
	for _, f := range p.Faults {
		rec := fmt.Sprintf("%.2f s", f.RecoverySeconds)
		if f.RecoverySeconds < 0 {
			rec = "nothing left to deliver"
		}
		fmt.Fprintf(w, "    fault %s at %.1f s: down %.2f s, %d delivered meanwhile, %s delivering again after %s\n",
			strings.TrimSpace(f.Kind+" "+f.Target), f.AtSeconds, f.DownSeconds, f.DeliveredDuring, f.Channel, rec)
	}
	for _, s := range p.Sinks {
		fmt.Fprintf(w, "    sink %s: expected %d, delivered %d, lost %d, duplicated %d, unexpected %d\n",
			s.Name, s.Expected, s.Delivered, s.Lost, s.Duplicated, s.Unexpected)
		for _, d := range s.Differences {
			fmt.Fprintf(w, "      %s\n", d)
		}
	}
	for _, e := range p.Errors {
		fmt.Fprintf(w, "    error: %s\n", e)
	}
}

// seconds writes m as "k=v" pairs in key order, v with one decimal.
func seconds(m map[string]float64) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%.1f", k, m[k]))
	}
	return strings.Join(parts, " ")
}
