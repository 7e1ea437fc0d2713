package consumer

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics are the consumer's metrics, grouped by the job that counts them. All are registered
// whether or not a job runs (archiving may be off), so /metrics always shows the same series.
type metrics struct {
	forward forwardMetrics
	// ownership counts the ownership and membership changes applied from bus events.
	ownership prometheus.Counter
	archive   archiveMetrics
}

// forwardMetrics count what the forwarder does with bus messages.
type forwardMetrics struct {
	received   prometheus.Counter
	malformed  prometheus.Counter
	duplicates prometheus.Counter
	forwarded  prometheus.Counter
	workItems  prometheus.Counter
	failures   prometheus.Counter
}

// archiveMetrics count the archiver's messages and failed attempts.
type archiveMetrics struct {
	archived prometheus.Counter
	failures prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		forward: forwardMetrics{
			received:   f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_received_total", Help: "Bus messages received."}),
			malformed:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_malformed_total", Help: "Bus messages dead-lettered as malformed."}),
			duplicates: f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_duplicates_total", Help: "Bus messages dropped as already seen."}),
			forwarded:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_forwarded_total", Help: "Bus messages handed to workers."}),
			workItems:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_work_items_total", Help: "Work items published."}),
			failures: f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_publish_failures_total",
				Help: "Failed attempts to publish a batch (each is retried)."}),
		},
		ownership: f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_ownership_changes_total",
			Help: "Ownership and membership changes applied from bus events."}),
		archive: archiveMetrics{
			archived: f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_archived_total",
				Help: "Bus messages handled by the archiver (archived, or there already)."}),
			failures: f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_archive_failures_total",
				Help: "Failed attempts to archive a batch (each is retried)."}),
		},
	}
}
