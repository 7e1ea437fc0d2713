package consumer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"fmn/internal/archive"
	"fmn/internal/deadletter/letter"
	"fmn/internal/lifecycle"
	"fmn/internal/ownership"
	"fmn/internal/rabbit"
	"fmn/internal/service"
	"fmn/internal/settle"
	"fmn/internal/telemetry"
	"fmn/internal/wire"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// Deps are the consumer's collaborators.
type Deps = service.Deps

type metrics struct {
	received   prometheus.Counter
	malformed  prometheus.Counter
	duplicates prometheus.Counter
	forwarded  prometheus.Counter
	workItems  prometheus.Counter
	failures   prometheus.Counter
	ownership  prometheus.Counter
	// archived and archiveFailures count the archiver's messages and failed attempts.
	archived        prometheus.Counter
	archiveFailures prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		received:   f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_received_total", Help: "Bus messages received."}),
		malformed:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_malformed_total", Help: "Bus messages dead-lettered as malformed."}),
		duplicates: f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_duplicates_total", Help: "Bus messages dropped as already seen."}),
		forwarded:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_forwarded_total", Help: "Bus messages handed to workers."}),
		workItems:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_work_items_total", Help: "Work items published."}),
		failures:   f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_publish_failures_total", Help: "Failed attempts to publish a batch (each is retried)."}),
		ownership:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_ownership_changes_total", Help: "Ownership and membership changes applied from bus events."}),
		archived:   f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_archived_total", Help: "Bus messages handled by the archiver (archived, or there already)."}),
		archiveFailures: f.NewCounter(prometheus.CounterOpts{Name: "fmn_consumer_archive_failures_total",
			Help: "Failed attempts to archive a batch (each is retried)."}),
	}
}

// Run consumes the bus until ctx ends.
func Run(ctx context.Context, cfg Config, deps Deps) error {
	logger := deps.Logger.With("component", "consumer")
	now := deps.Clock()
	m := newMetrics(deps.Registry)

	rdb, err := service.OpenRedis(cfg.Redis)
	if err != nil {
		return err
	}
	defer rdb.Close()

	pool, err := service.OpenDB(ctx, cfg.Postgres)
	if err != nil {
		return err
	}
	defer pool.Close()
	rules := cfg.Ownership
	if rules == nil {
		rules = ownership.DefaultRules()
	}

	conn, err := service.DialBroker(cfg.AMQP, cfg.Topology, "fmn-consumer", deps, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	pub := conn.NewPublisher()
	defer pub.Close()

	refresh := cfg.AliasRefresh
	if refresh <= 0 {
		refresh = DefaultAliasRefresh
	}
	al := &aliases{pool: pool, logger: logger, refresh: refresh}
	if err := al.load(ctx); err != nil {
		return err
	}
	c := &consumer{cfg: cfg, logger: logger, now: now, m: m, pub: pub, store: pgstore.New(pool), ownership: rules, aliases: al,
		dedup: &dedup{rdb: rdb, prefix: cfg.Redis.Prefix + "dedup:", ttl: cfg.DedupTTL}, beforeAck: deps.BeforeAck}
	var history *archive.Store
	if cfg.Topology.ArchiveQueue != "" {
		history = archive.NewStore(pool, now)
		c.archive = history
	}

	mux := http.NewServeMux()
	telemetry.Mount(mux, deps.Registry, telemetry.Checks{
		"broker":   telemetry.Flag(conn.Ready),
		"redis":    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		"database": func(ctx context.Context) error { return pool.Ping(ctx) },
	})
	srv := telemetry.NewServer(mux, logger)

	logger.InfoContext(ctx, "consumer started", "queue", cfg.Topology.BusQueue, "batch", cfg.BatchSize)
	return lifecycle.Group(ctx,
		func(ctx context.Context) error { return telemetry.Serve(ctx, srv, cfg.MetricsAddr, deps.Ready) },
		al.run,
		func(ctx context.Context) error {
			if history == nil || cfg.ArchiveRetention <= 0 {
				return nil
			}
			return archive.Retain(ctx, history, cfg.ArchiveRetention, logger)
		},
		func(ctx context.Context) error {
			if history == nil {
				return nil
			}
			batch := max(cfg.ArchiveBatch, 1)
			return conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
				Queue: cfg.Topology.ArchiveQueue, Prefetch: 2 * batch, MaxBatch: batch, Linger: cfg.ArchiveLinger,
			}, c.archiveBatch)
		},
		func(ctx context.Context) error {
			return conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
				Queue: cfg.Topology.BusQueue, Prefetch: 2 * cfg.BatchSize, MaxBatch: cfg.BatchSize, Linger: cfg.Linger,
			}, c.handle)
		},
	)
}

type consumer struct {
	cfg       Config
	logger    *slog.Logger
	now       func() time.Time
	m         *metrics
	pub       *rabbit.Publisher
	dedup     *dedup
	store     *pgstore.Store
	ownership *ownership.Rules
	aliases   *aliases
	beforeAck func(context.Context)
	// archive is the message history; nil when archiving is off.
	archive *archive.Store
}

// handle processes one batch of bus deliveries.
func (c *consumer) handle(ctx context.Context, batch []amqp.Delivery) {
	c.m.received.Add(float64(len(batch)))
	var out []rabbit.Outgoing
	msgs := make([]message.Message, 0, len(batch))
	inBatch := make(map[string]struct{}, len(batch))
	for _, d := range batch {
		msg, err := c.decode(d)
		if err != nil {
			c.m.malformed.Inc()
			c.logger.WarnContext(ctx, "malformed bus message dead-lettered", "routing_key", d.RoutingKey, "error", err)
			out = append(out, letter.For(c.cfg.Topology.DeadLetterExchange, d, "consumer", err.Error(), c.now()))
			continue
		}
		if _, dup := inBatch[msg.ID]; dup {
			c.m.duplicates.Inc()
			continue
		}
		inBatch[msg.ID] = struct{}{}
		msgs = append(msgs, msg)
	}
	seen, err := c.dedup.seen(ctx, msgs)
	if err != nil {
		// The hint is an optimisation; downstream ids make duplicates harmless.
		c.logger.WarnContext(ctx, "dedup lookup skipped", "error", err)
	}
	fresh := msgs[:0]
	var owners []prefs.OwnershipChange
	var members []prefs.MembershipChange
	for i, msg := range msgs {
		if seen != nil && seen[i] {
			c.m.duplicates.Inc()
			continue
		}
		fresh = append(fresh, msg)
		o, mb := c.ownership.Changes(&msg)
		owners, members = append(owners, o...), append(members, mb...)
	}
	for start := 0; start < len(fresh); start += c.cfg.BatchSize {
		item := wire.WorkItem{Messages: fresh[start:min(start+c.cfg.BatchSize, len(fresh))]}
		body, err := wire.Encode(&item)
		if err != nil {
			// Cannot happen for a decoded message; let the broker dead-letter the batch.
			c.logger.ErrorContext(ctx, "encode work item", "error", err)
			settle.Reject(batch)
			return
		}
		pub := amqp.Publishing{ContentType: wire.ContentType, Type: wire.TypeWork, Timestamp: c.now(), Body: body}
		out = append(out, rabbit.Outgoing{Key: c.cfg.Topology.WorkQueue, Msg: pub})
		if q := c.cfg.Topology.ArchiveQueue; q != "" {
			// The archive gets the same work item: one more broker message per batch rather
			// than a second copy of every bus message, already decoded and extracted.
			out = append(out, rabbit.Outgoing{Key: q, Msg: pub})
		}
	}
	settle.Batch(ctx, batch, func(ctx context.Context) error {
		// Ownership first: once the work items are out, the workers should already see it.
		if err := c.store.ApplyOwnership(ctx, owners, members); err != nil {
			var inv *prefs.InvalidError
			if !errors.As(err, &inv) {
				return err
			}
			// internal/ownership validates what it extracts; log what slipped through, keep going.
			c.logger.WarnContext(ctx, "ownership change refused", "error", err)
			owners, members = nil, nil
		}
		c.m.ownership.Add(float64(len(owners) + len(members)))
		if err := c.pub.Publish(ctx, out...); err != nil {
			return err
		}
		if err := c.dedup.mark(ctx, fresh); err != nil {
			c.logger.WarnContext(ctx, "dedup mark skipped", "error", err)
		}
		c.m.forwarded.Add(float64(len(fresh)))
		c.m.workItems.Add(float64((len(fresh) + c.cfg.BatchSize - 1) / c.cfg.BatchSize))
		return nil
	}, func(attempt int, err error) {
		c.m.failures.Inc()
		if attempt == 0 {
			c.logger.WarnContext(ctx, "publish work items; retrying", "error", err, "messages", len(batch))
		}
	}, c.beforeAck)
}

// dedup remembers message ids in Redis for a while.
type dedup struct {
	rdb    *redis.Client
	prefix string
	ttl    time.Duration
}

// key hashes the id: ids come from outside and may be long.
func (d *dedup) key(id string) string {
	h := sha256.Sum256([]byte(id))
	return d.prefix + hex.EncodeToString(h[:16])
}

func (d *dedup) seen(ctx context.Context, msgs []message.Message) ([]bool, error) {
	if len(msgs) == 0 {
		return nil, nil
	}
	keys := make([]string, len(msgs))
	for i := range msgs {
		keys[i] = d.key(msgs[i].ID)
	}
	vals, err := d.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("dedup lookup: %w", err)
	}
	out := make([]bool, len(vals))
	for i, v := range vals {
		out[i] = v != nil
	}
	return out, nil
}

func (d *dedup) mark(ctx context.Context, msgs []message.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	pipe := d.rdb.Pipeline()
	for i := range msgs {
		pipe.Set(ctx, d.key(msgs[i].ID), 1, d.ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("dedup mark: %w", err)
	}
	return nil
}

// decode reads a bus delivery into a message and extracts its metadata, as the workers and the
// archive see it.
func (c *consumer) decode(d amqp.Delivery) (message.Message, error) {
	msg, err := message.DecodeAMQP(message.AMQP{
		RoutingKey: d.RoutingKey, MessageID: d.MessageId, Timestamp: d.Timestamp,
		Headers: map[string]any(d.Headers), Body: d.Body,
	}, c.cfg.MaxBodyBytes)
	if err != nil {
		return msg, err
	}
	message.Extract(&msg, c.aliases)
	if msg.URL == "" && c.cfg.PublicURL != "" {
		msg.URL = message.HistoryURL(c.cfg.PublicURL, msg.ID)
	}
	return msg, nil
}

// archiveBatch archives a batch of the archive queue, acking after the commit. The queue holds
// the work items the pipeline publishes (and, from before archiving moved onto work items, bus
// messages, which are decoded here). An undecodable work item, and a message the database
// refuses (bad data), is dead-lettered alone, so it cannot block the others.
func (c *consumer) archiveBatch(ctx context.Context, batch []amqp.Delivery) {
	start := time.Now()
	defer c.pace(ctx, start)
	msgs := make([]message.Message, 0, len(batch))
	from := make([]amqp.Delivery, 0, len(batch))
	var dead []rabbit.Outgoing
	for _, d := range batch {
		if d.Type != wire.TypeWork {
			msg, err := c.decode(d)
			if err != nil {
				continue // malformed: the pipeline's copy of it was dead-lettered
			}
			msgs, from = append(msgs, msg), append(from, d)
			continue
		}
		item, err := wire.DecodeWork(d.Body)
		if err != nil {
			c.logger.ErrorContext(ctx, "undecodable work item in the archive queue dead-lettered", "error", err)
			dead = append(dead, letter.For(c.cfg.Topology.DeadLetterExchange, d, "archive", err.Error(), c.now()))
			continue
		}
		for _, msg := range item.Messages {
			msgs, from = append(msgs, msg), append(from, d)
		}
	}
	settle.Batch(ctx, batch, func(ctx context.Context) error {
		if err := c.pub.Publish(ctx, dead...); err != nil {
			return err
		}
		dead = nil
		err := c.archive.Write(ctx, msgs)
		if !archive.IsDataError(err) {
			return err
		}
		var refused []rabbit.Outgoing
		for i := range msgs {
			if err := c.archive.Write(ctx, msgs[i:i+1]); archive.IsDataError(err) {
				c.logger.WarnContext(ctx, "message refused by the archive dead-lettered", "message_id", msgs[i].ID, "error", err)
				refused = append(refused, letter.For(c.cfg.Topology.DeadLetterExchange, alone(from[i], msgs[i]), "archive", err.Error(), c.now()))
			} else if err != nil {
				return err
			}
		}
		return c.pub.Publish(ctx, refused...)
	}, func(attempt int, err error) {
		c.m.archiveFailures.Inc()
		if attempt == 0 {
			c.logger.WarnContext(ctx, "archive batch; retrying", "error", err, "messages", len(msgs))
		}
	}, nil)
	c.m.archived.Add(float64(len(msgs)))
}

// alone returns the delivery of msg by itself: a work item of msg alone when d was a work item
// (so that its dead letter holds that message only, and a re-drive archives just it), else d.
func alone(d amqp.Delivery, msg message.Message) amqp.Delivery {
	if d.Type != wire.TypeWork {
		return d
	}
	body, err := wire.Encode(&wire.WorkItem{Messages: []message.Message{msg}})
	if err != nil {
		return d // cannot happen for a decoded message; the whole item is still a faithful record
	}
	d.Body, d.MessageId = body, msg.ID
	return d
}

// pace holds the archiver back after a batch that began at start, so that it spends at most
// ArchiveDuty of its time working: under a burst the pipeline keeps the CPU and the archive
// catches up afterwards (its queue holds the rest). A duty of 1 or more never waits.
func (c *consumer) pace(ctx context.Context, start time.Time) {
	duty := c.cfg.ArchiveDuty
	if duty <= 0 || duty >= 1 {
		return
	}
	rest := time.Duration(float64(time.Since(start)) * (1/duty - 1))
	t := time.NewTimer(rest)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
