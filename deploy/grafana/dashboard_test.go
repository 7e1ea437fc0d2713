package grafana

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// metricName finds the metric names in a PromQL expression that fmn owns or that the Go client's
// standard collectors export.
var metricName = regexp.MustCompile(`\b(fmn_[a-z_]+|process_[a-z_]+|go_[a-z_]+)\b`)

// registered returns every metric name registered in fmn's Go sources: they are always string
// literals (Name: "fmn_…", or the first argument of prometheus.NewDesc).
func registered(t *testing.T) map[string]bool {
	t.Helper()
	lit := regexp.MustCompile(`"(fmn_[a-z_]+)"`)
	out := map[string]bool{}
	for _, dir := range []string{"../../internal", "../../pkg", "../../cmd"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range lit.FindAllSubmatch(b, -1) {
				out[string(m[1])] = true
			}
			return nil
		})
		require.NoError(t, err)
	}
	return out
}

// TestDashboardQueriesRegisteredMetrics parses the dashboard and checks every panel query.
func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("fmn.json")
	require.NoError(t, err)
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(b, &dash), "the dashboard is JSON Grafana can import")
	require.Equal(t, "fmn", dash.Title)

	known := registered(t)
	require.Contains(t, known, "fmn_worker_match_seconds", "the source scan finds fmn's metrics")
	// The Go client's process and runtime collectors (telemetry.NewRegistry registers both).
	standard := []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "go_goroutines"}
	var queried []string
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		for _, tg := range p.Targets {
			require.NotEmpty(t, tg.Expr, "panel %q", p.Title)
			for _, name := range metricName.FindAllString(tg.Expr, -1) {
				queried = append(queried, name)
				if slices.Contains(standard, name) {
					continue
				}
				base := name
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(name, suffix); ok && known[b] {
						base = b
					}
				}
				require.True(t, known[base], "panel %q queries %s, which no fmn process registers", p.Title, name)
			}
		}
	}
	// The families DESIGN.md §8 asks an operator to see are all on the dashboard.
	for _, want := range []string{"fmn_consumer_received_total", "fmn_worker_messages_total", "fmn_worker_messages_matched_total",
		"fmn_backend_deliveries_total", "fmn_queue_messages", "fmn_worker_match_seconds_bucket", "fmn_worker_snapshot_version",
		"fmn_worker_snapshot_loaded_timestamp_seconds", "fmn_sse_connections", "fmn_deadletters_archived_total"} {
		require.Contains(t, queried, want)
	}
}
