package queuestatus

import "github.com/prometheus/client_golang/prometheus"

// collector exports the latest Snapshot at scrape time, so a scrape sees one poll's figures and
// never waits on the broker. Missing queues and the workers' prefs queues (random names, a new
// one per worker start: an unbounded label) have no series; a failed poll exports nothing.
type collector struct {
	s                   *Sampler
	messages, consumers *prometheus.Desc
}

func newCollector(s *Sampler) *collector {
	return &collector{
		s: s,
		messages: prometheus.NewDesc("fmn_queue_messages",
			"Messages in a topology queue at the last status poll, by state: ready (waiting for a consumer) "+
				"or unacked (delivered, not yet acked; only when the management API is configured).",
			[]string{"queue", "state"}, nil),
		consumers: prometheus.NewDesc("fmn_queue_consumers",
			"Consumers of a topology queue at the last status poll.",
			[]string{"queue"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.messages
	ch <- c.consumers
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	for _, q := range c.s.Latest().Queues {
		if q.Missing || q.Role == RolePrefs {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.messages, prometheus.GaugeValue, float64(q.Ready), q.Name, "ready")
		if q.Source == SourceManagement {
			ch <- prometheus.MustNewConstMetric(c.messages, prometheus.GaugeValue, float64(q.Unacked), q.Name, "unacked")
		}
		ch <- prometheus.MustNewConstMetric(c.consumers, prometheus.GaugeValue, float64(q.Consumers), q.Name)
	}
}
