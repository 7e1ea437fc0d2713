package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/deadletter/letter"
	"fmn/internal/hits"
	"fmn/internal/lifecycle"
	"fmn/internal/rabbit"
	"fmn/internal/service"
	"fmn/internal/settle"
	"fmn/internal/telemetry"
	"fmn/internal/wire"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// Deps are the worker's collaborators.
type Deps = service.Deps

type metrics struct {
	messages         prometheus.Counter
	matched          prometheus.Counter
	notifications    *prometheus.CounterVec
	malformed        prometheus.Counter
	failures         prometheus.Counter
	hitFailures      prometheus.Counter
	oneShots         prometheus.Counter
	matchSeconds     prometheus.Histogram
	snapshotVersion  prometheus.Gauge
	snapshotLoadedAt prometheus.Gauge
	snapshotFilters  prometheus.Gauge
	snapshotFailures prometheus.Counter
	reloads          *prometheus.CounterVec
	overlayUsers     prometheus.Gauge
	catchUps         prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		messages:      f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_messages_total", Help: "Bus messages matched."}),
		matched:       f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_messages_matched_total", Help: "Bus messages that matched at least one filter."}),
		notifications: f.NewCounterVec(prometheus.CounterOpts{Name: "fmn_worker_notifications_total", Help: "Notifications published, by channel."}, []string{"channel"}),
		malformed:     f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_malformed_total", Help: "Work items dead-lettered as undecodable."}),
		failures:      f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_publish_failures_total", Help: "Failed attempts to publish a batch (each is retried)."}),
		oneShots:      f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_one_shot_disabled_total", Help: "One-shot filters disabled after matching."}),
		hitFailures:   f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_hits_failures_total", Help: "Batches whose filter hit counts could not be recorded in Redis (the counts are lost, matching goes on)."}),
		matchSeconds: f.NewHistogram(prometheus.HistogramOpts{Name: "fmn_worker_match_seconds", Help: "Time to match one bus message against every filter.",
			Buckets: prometheus.ExponentialBuckets(1e-6, 4, 10)}),
		snapshotVersion:  f.NewGauge(prometheus.GaugeOpts{Name: "fmn_worker_snapshot_version", Help: "Preferences change version of the snapshot in force."}),
		snapshotLoadedAt: f.NewGauge(prometheus.GaugeOpts{Name: "fmn_worker_snapshot_loaded_timestamp_seconds", Help: "When the snapshot in force was loaded."}),
		snapshotFilters:  f.NewGauge(prometheus.GaugeOpts{Name: "fmn_worker_snapshot_filters", Help: "Enabled filters in the snapshot in force."}),
		snapshotFailures: f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_snapshot_failures_total", Help: "Preference updates that failed (and were retried)."}),
		reloads: f.NewCounterVec(prometheus.CounterOpts{Name: "fmn_worker_snapshot_updates_total",
			Help: "Preference updates applied: full reloads, and users patched."}, []string{"kind"}),
		overlayUsers: f.NewGauge(prometheus.GaugeOpts{Name: "fmn_worker_snapshot_patched_users", Help: "Users patched on top of the last full load."}),
		catchUps: f.NewCounter(prometheus.CounterOpts{Name: "fmn_worker_prefs_subscriptions_total",
			Help: "Times the worker subscribed to preference changes (at start and after reconnects) and checked the database for changes it missed."}),
	}
}

// Run matches work items until ctx ends.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	logger := deps.Logger.With("component", "worker")
	now := deps.Clock()
	m := newMetrics(deps.Registry)
	if cfg.MaxNotifications < 1 {
		cfg.MaxNotifications = DefaultMaxNotifications
	}

	pool, err := service.OpenDB(ctx, cfg.Postgres)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := pgstore.New(pool, pgstore.WithQuotas(cfg.Quotas))
	snaps := newSnapshots(store, logger, now, m)
	if err := snaps.reload(ctx); err != nil {
		return fmt.Errorf("initial snapshot: %w", err)
	}

	conn, err := service.DialBroker(cfg.AMQP, cfg.Topology, "fmn-worker", deps, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	pub := conn.NewPublisher()
	defer pub.Close()
	rdb, err := service.OpenRedis(cfg.Redis)
	if err != nil {
		return err
	}
	defer rdb.Close()
	w := &worker{cfg: cfg, logger: logger, now: now, m: m, pub: pub, snaps: snaps, beforeAck: deps.BeforeAck,
		hits: hits.NewStore(rdb, cfg.Redis.Prefix), store: store}

	mux := http.NewServeMux()
	telemetry.Mount(mux, deps.Registry, telemetry.Checks{
		"broker":   telemetry.Flag(conn.Ready),
		"database": func(ctx context.Context) error { return pool.Ping(ctx) },
	})
	srv := telemetry.NewServer(mux, logger)

	logger.InfoContext(ctx, "worker started", "queue", cfg.Topology.WorkQueue, "snapshot_version", snaps.current().version)
	return lifecycle.Group(ctx,
		func(ctx context.Context) error { return telemetry.Serve(ctx, srv, cfg.MetricsAddr, deps.Ready) },
		snaps.run,
		func(ctx context.Context) error { return w.consumePrefs(ctx, conn) },
		func(ctx context.Context) error {
			return conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
				Queue: cfg.Topology.WorkQueue, Prefetch: cfg.Batch.Prefetch, MaxBatch: cfg.Batch.MaxBatch, Linger: cfg.Batch.Linger,
			}, w.handle)
		},
	)
}

type worker struct {
	cfg       Config
	logger    *slog.Logger
	now       func() time.Time
	m         *metrics
	pub       *rabbit.Publisher
	snaps     *snapshots
	beforeAck func(context.Context)
	hits      *hits.Store
	// store disables one-shot filters once they matched.
	store *pgstore.Store
}

// hitsTimeout bounds the recording of a batch's hit counts: they are statistics, and must not
// hold up the ack.
const hitsTimeout = 2 * time.Second

// consumePrefs listens for preference changes on this worker's own queue. The queue is exclusive
// and goes away with the connection, so each time it is bound again the worker reloads whatever
// it may have missed.
func (w *worker) consumePrefs(ctx context.Context, conn *rabbit.Conn) error {
	return conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
		Prefetch: 64, MaxBatch: 64, Exclusive: true,
		Declare: func(ch *amqp.Channel) (string, error) {
			q, err := ch.QueueDeclare("", false, true, true, false, amqp.Table{"x-queue-type": "classic"})
			if err != nil {
				return "", fmt.Errorf("declare prefs queue: %w", err)
			}
			if err := ch.QueueBind(q.Name, "", w.cfg.Topology.PrefsExchange, false, nil); err != nil {
				return "", fmt.Errorf("bind prefs queue: %w", err)
			}
			// Changes published before this queue was bound never reach it: now that every
			// later change will, reload if the database has any the snapshot lacks (at start,
			// and after every reconnect).
			w.snaps.reloadIfBehind(ctx)
			return q.Name, nil
		},
	}, func(ctx context.Context, batch []amqp.Delivery) {
		for _, d := range batch {
			c, err := wire.DecodePrefsChange(d.Body)
			switch {
			case err != nil:
				w.logger.WarnContext(ctx, "undecodable prefs change; reloading everything", "error", err)
				w.snaps.reloadAll()
			case c.User == "":
				w.snaps.reloadAll() // ownership or membership: anyone may be affected
			default:
				w.snaps.patch(c.User, c.Version)
			}
		}
		for _, d := range batch {
			_ = d.Ack(false)
		}
	})
}

// handle matches one batch of work items and publishes their notifications.
func (w *worker) handle(ctx context.Context, batch []amqp.Delivery) {
	st := w.snaps.current()
	now := w.now()
	var out []rabbit.Outgoing
	byChannel := map[string][]wire.Notification{}
	filterHits := map[int64]int64{}
	spent := map[string][]int64{} // one-shot filters that matched, by user: disabled before the ack
	for _, d := range batch {
		item, err := wire.DecodeWork(d.Body)
		if err != nil {
			w.m.malformed.Inc()
			w.logger.ErrorContext(ctx, "undecodable work item dead-lettered", "error", err)
			out = append(out, letter.For(w.cfg.Topology.DeadLetterExchange, d, "worker", err.Error(), now))
			continue
		}
		for i := range item.Messages {
			msg := &item.Messages[i]
			start := time.Now()
			matches := st.matcher.Match(msg, now)
			w.m.matchSeconds.Observe(time.Since(start).Seconds())
			w.m.messages.Inc()
			if len(matches) == 0 {
				continue
			}
			w.m.matched.Inc()
			countHits(filterHits, matches)
			for _, mt := range matches {
				for _, id := range mt.Filters {
					if st.isOneShot(id) && !slices.Contains(spent[mt.User], id) {
						spent[mt.User] = append(spent[mt.User], id)
					}
				}
			}
			for channel, ns := range notifications(st, msg, matches, now) {
				byChannel[channel] = append(byChannel[channel], ns...)
			}
		}
	}
	// All of the batch's notifications for one channel travel together, in AMQP messages of at
	// most MaxNotifications: the broker's cost is per message, not per byte.
	counts := map[string]int{}
	for channel, ns := range byChannel {
		counts[channel] = len(ns)
		for part := range slices.Chunk(ns, w.cfg.MaxNotifications) {
			body, err := wire.Encode(&wire.NotificationBatch{Channel: channel, Notifications: part})
			if err != nil {
				// Cannot happen for decoded data; let the broker dead-letter the batch.
				w.logger.ErrorContext(ctx, "encode notifications", "error", err)
				settle.Reject(batch)
				return
			}
			out = append(out, rabbit.Outgoing{Exchange: w.cfg.Topology.NotificationsExchange, Key: channel, Msg: amqp.Publishing{
				ContentType: wire.ContentType, Type: wire.TypeNotifications, MessageId: part[0].MessageID, Timestamp: now, Body: body,
			}})
		}
	}
	settle.Batch(ctx, batch, func(ctx context.Context) error {
		if err := w.pub.Publish(ctx, out...); err != nil {
			return err
		}
		// After the notifications are out, so a failure here retries both (redelivered
		// notifications are dropped downstream by id) and the ack waits for the filters to be off.
		if err := w.disableSpent(ctx, spent); err != nil {
			return err
		}
		for ch, n := range counts {
			w.m.notifications.WithLabelValues(ch).Add(float64(n))
		}
		hctx, cancel := context.WithTimeout(ctx, hitsTimeout)
		defer cancel()
		if err := w.hits.Record(hctx, now, filterHits); err != nil {
			w.m.hitFailures.Inc()
			w.logger.DebugContext(ctx, "filter hits not recorded", "error", err)
		}
		filterHits = nil // a retried publish must not count again
		return nil
	}, func(attempt int, err error) {
		w.m.failures.Inc()
		if attempt == 0 {
			w.logger.WarnContext(ctx, "publish notifications; retrying", "error", err)
		}
	}, w.beforeAck)
}

// countHits adds one to each filter among matches (a filter sending to two destinations of its
// user appears in two matches but matched the message once).
func countHits(into map[int64]int64, matches []rules.Match) {
	seen := make(map[int64]struct{}, len(matches))
	for _, mt := range matches {
		for _, id := range mt.Filters {
			if _, ok := seen[id]; !ok {
				seen[id] = struct{}{}
				into[id]++
			}
		}
	}
}

// disableSpent disables the one-shot filters that matched, user by user. Workers learn of it
// through the outbox like any edit; until then other work items may match them too, so a burst can
// bring a few notifications rather than exactly one.
func (w *worker) disableSpent(ctx context.Context, spent map[string][]int64) error {
	for name, ids := range spent {
		u, err := w.store.UserByName(ctx, name)
		if errors.Is(err, prefs.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("one-shot filters: %w", err)
		}
		if _, err := w.store.DisableFilters(ctx, u, ids); err != nil {
			return fmt.Errorf("one-shot filters: %w", err)
		}
		w.m.oneShots.Add(float64(len(ids)))
	}
	return nil
}
