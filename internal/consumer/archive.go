package consumer

import (
	"context"
	"log/slog"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/archive"
	"fmn/internal/deadletter/letter"
	"fmn/internal/rabbit"
	"fmn/internal/settle"
	"fmn/internal/wire"
	"fmn/pkg/message"
)

// archiver writes the archive queue to the message archive, in large transactions, resting
// between batches so that it spends at most its duty of the time working, and detaches the
// archive's weeks past the retention.
type archiver struct {
	conn  *rabbit.Conn
	pub   *rabbit.Publisher
	store *archive.Store
	// decoder reads the bus messages the archive queue held before archiving moved onto work
	// items.
	decoder *decoder
	// queue is the archive queue; deadLetters the dead-letter exchange.
	queue, deadLetters string
	// batch is the most deliveries per transaction; linger its wait to fill.
	batch  int
	linger time.Duration
	// duty is the share of its time the archiver may work (see Config.ArchiveDuty).
	duty float64
	// retention detaches weeks older than this; 0 keeps everything.
	retention time.Duration
	logger    *slog.Logger
	now       func() time.Time
	m         *archiveMetrics
}

// run consumes the archive queue until ctx ends.
func (a *archiver) run(ctx context.Context) error {
	batch := max(a.batch, 1)
	return a.conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
		Queue: a.queue, Prefetch: 2 * batch, MaxBatch: batch, Linger: a.linger,
	}, a.handle)
}

// retain detaches the weeks past the retention until ctx ends (archive.Retain); it returns at
// once when everything is kept.
func (a *archiver) retain(ctx context.Context) error {
	if a.retention <= 0 {
		return nil
	}
	return archive.Retain(ctx, a.store, a.retention, a.logger)
}

// handle archives a batch of the archive queue, acking after the commit. The queue holds the
// work items the pipeline publishes (and, from before archiving moved onto work items, bus
// messages, which are decoded here). An undecodable work item, and a message the database
// refuses (bad data), is dead-lettered alone, so it cannot block the others.
func (a *archiver) handle(ctx context.Context, batch []amqp.Delivery) {
	start := time.Now()
	defer a.pace(ctx, start)
	msgs, from, dead := a.unpack(ctx, batch)
	settle.Batch(ctx, batch, func(ctx context.Context) error {
		if err := a.pub.Publish(ctx, dead...); err != nil {
			return err
		}
		dead = nil
		return a.write(ctx, msgs, from)
	}, func(attempt int, err error) {
		a.m.failures.Inc()
		if attempt == 0 {
			a.logger.WarnContext(ctx, "archive batch; retrying", "error", err, "messages", len(msgs))
		}
	}, nil)
	a.m.archived.Add(float64(len(msgs)))
}

// unpack returns the messages of a batch, each with the delivery it came in (from), and the
// dead letters of its undecodable work items.
func (a *archiver) unpack(ctx context.Context, batch []amqp.Delivery) (msgs []message.Message, from []amqp.Delivery, dead []rabbit.Outgoing) {
	msgs = make([]message.Message, 0, len(batch))
	from = make([]amqp.Delivery, 0, len(batch))
	for _, d := range batch {
		if d.Type != wire.TypeWork {
			msg, err := a.decoder.decode(d)
			if err != nil {
				continue // malformed: the pipeline's copy of it was dead-lettered
			}
			msgs, from = append(msgs, msg), append(from, d)
			continue
		}
		item, err := wire.DecodeWork(d.Body)
		if err != nil {
			a.logger.ErrorContext(ctx, "undecodable work item in the archive queue dead-lettered", "error", err)
			dead = append(dead, letter.For(a.deadLetters, d, "archive", err.Error(), a.now()))
			continue
		}
		for _, msg := range item.Messages {
			msgs, from = append(msgs, msg), append(from, d)
		}
	}
	return msgs, from, dead
}

// write archives msgs in one transaction. If the database refuses the data, it writes them one
// by one instead and dead-letters each message it refuses.
func (a *archiver) write(ctx context.Context, msgs []message.Message, from []amqp.Delivery) error {
	err := a.store.Write(ctx, msgs)
	if !archive.IsDataError(err) {
		return err
	}
	var refused []rabbit.Outgoing
	for i := range msgs {
		if err := a.store.Write(ctx, msgs[i:i+1]); archive.IsDataError(err) {
			a.logger.WarnContext(ctx, "message refused by the archive dead-lettered", "message_id", msgs[i].ID, "error", err)
			refused = append(refused, letter.For(a.deadLetters, alone(from[i], msgs[i]), "archive", err.Error(), a.now()))
		} else if err != nil {
			return err
		}
	}
	return a.pub.Publish(ctx, refused...)
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
// its duty of its time working: under a burst the pipeline keeps the CPU and the archive
// catches up afterwards (its queue holds the rest). A duty of 1 or more never waits.
func (a *archiver) pace(ctx context.Context, start time.Time) {
	if a.duty <= 0 || a.duty >= 1 {
		return
	}
	rest := time.Duration(float64(time.Since(start)) * (1/a.duty - 1))
	t := time.NewTimer(rest)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
