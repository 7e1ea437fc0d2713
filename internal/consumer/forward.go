package consumer

import (
	"context"
	"log/slog"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/deadletter/letter"
	"fmn/internal/rabbit"
	"fmn/internal/settle"
	"fmn/internal/wire"
	"fmn/pkg/message"
)

// forwarder takes batches of bus deliveries, decodes them, drops the ids already seen,
// dead-letters the malformed ones, and publishes the rest as work items to the work queue (and
// the archive queue), with the batch's ownership changes written first. A bus batch is acked
// only after all that is durable.
type forwarder struct {
	conn *rabbit.Conn
	pub  *rabbit.Publisher
	// topo names the bus, work and archive queues and the dead-letter exchange.
	topo rabbit.Topology
	// batchSize is the most messages per work item, and the bus batch's size; linger its wait
	// to fill.
	batchSize int
	linger    time.Duration
	decoder   *decoder
	dedup     *dedup
	owners    *ownershipWriter
	logger    *slog.Logger
	now       func() time.Time
	m         *forwardMetrics
	beforeAck func(context.Context)
}

// run consumes the bus queue until ctx ends.
func (f *forwarder) run(ctx context.Context) error {
	return f.conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
		Queue: f.topo.BusQueue, Prefetch: 2 * f.batchSize, MaxBatch: f.batchSize, Linger: f.linger,
	}, f.handle)
}

// handle processes one batch of bus deliveries.
func (f *forwarder) handle(ctx context.Context, batch []amqp.Delivery) {
	f.m.received.Add(float64(len(batch)))
	msgs, out := f.decodeBatch(ctx, batch)
	fresh := f.dropSeen(ctx, msgs)
	changes := f.owners.collect(fresh)
	items, err := f.workItems(fresh)
	if err != nil {
		// Cannot happen for a decoded message; let the broker dead-letter the batch.
		f.logger.ErrorContext(ctx, "encode work item", "error", err)
		settle.Reject(batch)
		return
	}
	out = append(out, items...)
	settle.Batch(ctx, batch, func(ctx context.Context) error {
		return f.deliver(ctx, &changes, out, fresh)
	}, func(attempt int, err error) {
		f.m.failures.Inc()
		if attempt == 0 {
			f.logger.WarnContext(ctx, "publish work items; retrying", "error", err, "messages", len(batch))
		}
	}, f.beforeAck)
}

// decodeBatch decodes a batch: the messages, each id once, and the dead letters of the
// malformed deliveries.
func (f *forwarder) decodeBatch(ctx context.Context, batch []amqp.Delivery) ([]message.Message, []rabbit.Outgoing) {
	var dead []rabbit.Outgoing
	msgs := make([]message.Message, 0, len(batch))
	inBatch := make(map[string]struct{}, len(batch))
	for _, d := range batch {
		msg, err := f.decoder.decode(d)
		if err != nil {
			f.m.malformed.Inc()
			f.logger.WarnContext(ctx, "malformed bus message dead-lettered", "routing_key", d.RoutingKey, "error", err)
			dead = append(dead, letter.For(f.topo.DeadLetterExchange, d, "consumer", err.Error(), f.now()))
			continue
		}
		if _, dup := inBatch[msg.ID]; dup {
			f.m.duplicates.Inc()
			continue
		}
		inBatch[msg.ID] = struct{}{}
		msgs = append(msgs, msg)
	}
	return msgs, dead
}

// dropSeen returns the messages whose ids the dedup hint has not seen, reusing msgs.
func (f *forwarder) dropSeen(ctx context.Context, msgs []message.Message) []message.Message {
	seen, err := f.dedup.seen(ctx, msgs)
	if err != nil {
		// The hint is an optimisation; downstream ids make duplicates harmless.
		f.logger.WarnContext(ctx, "dedup lookup skipped", "error", err)
	}
	fresh := msgs[:0]
	for i, msg := range msgs {
		if seen != nil && seen[i] {
			f.m.duplicates.Inc()
			continue
		}
		fresh = append(fresh, msg)
	}
	return fresh
}

// workItems packs msgs into work items of at most batchSize messages, each published to the
// work queue and, when archiving is on, to the archive queue.
func (f *forwarder) workItems(msgs []message.Message) ([]rabbit.Outgoing, error) {
	var out []rabbit.Outgoing
	for start := 0; start < len(msgs); start += f.batchSize {
		item := wire.WorkItem{Messages: msgs[start:min(start+f.batchSize, len(msgs))]}
		body, err := wire.Encode(&item)
		if err != nil {
			return nil, err
		}
		pub := amqp.Publishing{ContentType: wire.ContentType, Type: wire.TypeWork, Timestamp: f.now(), Body: body}
		out = append(out, rabbit.Outgoing{Key: f.topo.WorkQueue, Msg: pub})
		if q := f.topo.ArchiveQueue; q != "" {
			// The archive gets the same work item: one more broker message per batch rather
			// than a second copy of every bus message, already decoded and extracted.
			out = append(out, rabbit.Outgoing{Key: q, Msg: pub})
		}
	}
	return out, nil
}

// deliver is a bus batch's effect: its ownership changes, then its dead letters and work items
// (out) published with confirms, then its fresh ids marked as seen.
func (f *forwarder) deliver(ctx context.Context, changes *ownershipChanges, out []rabbit.Outgoing, fresh []message.Message) error {
	// Ownership first: once the work items are out, the workers should already see it.
	if err := f.owners.apply(ctx, changes); err != nil {
		return err
	}
	if err := f.pub.Publish(ctx, out...); err != nil {
		return err
	}
	if err := f.dedup.mark(ctx, fresh); err != nil {
		f.logger.WarnContext(ctx, "dedup mark skipped", "error", err)
	}
	f.m.forwarded.Add(float64(len(fresh)))
	f.m.workItems.Add(float64((len(fresh) + f.batchSize - 1) / f.batchSize))
	return nil
}

// decoder reads bus deliveries into messages and extracts their metadata, as the workers and
// the archive see them.
type decoder struct {
	// maxBody refuses larger bodies.
	maxBody int
	// publicURL, if set, is the web app's base URL: a message that names no page to open links
	// to its entry in the message history there.
	publicURL string
	aliases   message.Aliases
}

// decode reads one bus delivery.
func (dc *decoder) decode(d amqp.Delivery) (message.Message, error) {
	msg, err := message.DecodeAMQP(message.AMQP{
		RoutingKey: d.RoutingKey, MessageID: d.MessageId, Timestamp: d.Timestamp,
		Headers: map[string]any(d.Headers), Body: d.Body,
	}, dc.maxBody)
	if err != nil {
		return msg, err
	}
	message.Extract(&msg, dc.aliases)
	if msg.URL == "" && dc.publicURL != "" {
		msg.URL = message.HistoryURL(dc.publicURL, msg.ID)
	}
	return msg, nil
}
