package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/backoff"
	"fmn/internal/deadletter/letter"
	"fmn/internal/ledger"
	"fmn/internal/notify"
	"fmn/internal/rabbit"
	"fmn/internal/settle"
	"fmn/internal/wire"
)

// HeaderAttempt counts the sends a notification has had before this delivery of it: absent on
// the worker's original message, then 1, 2, … on each retry the backend schedules.
const HeaderAttempt = "x-fmn-attempt"

// headerLastError carries the last temporary failure along with a retry (for operators reading
// a delay queue).
const headerLastError = "x-fmn-last-error"

// Ledger is what a deliverer needs of the delivery ledger.
type Ledger interface {
	Sent(ctx context.Context, ids []string) (map[string]bool, error)
	Record(ctx context.Context, entries ...ledger.Entry) error
}

// deliverer drives one channel's Notifier from its delivery queue. Per notification: skip it if
// the ledger says it was sent, else send it and record the success right away. A temporary
// failure is republished alone to the channel's next delay queue; once the delays are used up,
// or at once for a permanent failure, it goes to the dead-letter exchange with the reason and
// gets a ledger row. The AMQP batch is acked only after those retries, dead letters and rows are
// durable (service.Settle); one bad address never holds the rest of a batch back.
type deliverer struct {
	channel   string
	topo      rabbit.Topology
	delays    []time.Duration
	notifier  notify.Notifier
	ledger    Ledger
	pub       *rabbit.Publisher
	logger    *slog.Logger
	now       func() time.Time
	m         *metrics
	beforeAck func(context.Context)
	// lastClass is the class of the last temporary failure, "" after a success; handle runs on
	// one goroutine, the consume loop's.
	lastClass string
}

// handle delivers one AMQP batch of notification batches.
func (d *deliverer) handle(ctx context.Context, batch []amqp.Delivery) {
	var (
		out  []rabbit.Outgoing // retries and dead letters
		rows []ledger.Entry    // failure rows, and sent rows whose immediate write failed
		// down is set when the server could not be reached: the rest of the batch takes the
		// temporary-failure path at once rather than each waiting for its own timeout.
		down error
		// handled holds the notifications this batch has dealt with: a notification can come
		// twice in one batch (a bus message published twice reaches the workers twice when the
		// consumer's Redis hint is down, and a worker packs both copies together), and the
		// ledger does not know of the first until its row is written, which may wait for the
		// database. The fault suite found the duplicates this stops.
		handled = map[string]bool{}
	)
	for _, dl := range batch {
		nb, err := wire.DecodeNotifications(dl.Body)
		if err != nil {
			d.m.malformed.Inc()
			d.logger.ErrorContext(ctx, "undecodable notification batch dead-lettered", "error", err)
			out = append(out, letter.For(d.topo.DeadLetterExchange, dl, d.stage(), err.Error(), d.now()))
			continue
		}
		prior := attemptOf(dl)
		sent, err := d.sentAlready(ctx, nb.Notifications)
		if err != nil {
			d.keepSent(ctx, rows) // ctx ended: unacked, the broker redelivers
			return
		}
		for _, n := range nb.Notifications {
			if sent[n.ID] || handled[n.ID] {
				d.m.delivered.WithLabelValues(d.channel, outcomeDeduped).Inc()
				continue
			}
			handled[n.ID] = true
			res, ok := d.deliver(ctx, dl, n, prior, down)
			if !ok {
				d.keepSent(ctx, rows) // ctx ended mid-batch: what was sent goes to the ledger, the batch is redelivered
				return
			}
			if res.err != nil && unreachable(res.err) {
				down = res.err
			}
			out = append(out, res.out...)
			rows = append(rows, res.rows...)
		}
	}
	effect := func(ctx context.Context) error {
		if err := d.pub.Publish(ctx, out...); err != nil {
			return err
		}
		out = nil
		if err := d.ledger.Record(ctx, rows...); err != nil {
			return err
		}
		rows = nil
		return nil
	}
	if hasSent(rows) && !d.durable(ctx, effect) {
		return
	}
	settle.Batch(ctx, batch, effect, func(attempt int, err error) {
		if attempt == 0 {
			d.logger.WarnContext(ctx, "settle deliveries; retrying", "channel", d.channel, "error", err)
		}
	}, d.beforeAck)
}

// settleGrace is how long the rows of notifications already sent are still written after the
// handler's context ended.
const settleGrace = time.Minute

// Once a notification has gone out, its ledger row must be written before the batch is let go:
// a redelivered batch whose rows are missing is sent again. The handler's context can end while
// such a row waits for the database: at shutdown, and for IRC whenever the replica stops leading,
// which a database outage causes by itself (the bot's lock lives in PostgreSQL), exactly while the
// rows cannot be written. So the writing of those rows outlives the context by settleGrace (the
// fault suite found the duplicates this closes: the IRC lines sent as the database went down).
// The ack still needs the context: a batch whose context ended is redelivered, and skipped.

// hasSent reports whether rows hold a sent notification's row.
func hasSent(rows []ledger.Entry) bool {
	return slices.ContainsFunc(rows, func(e ledger.Entry) bool { return e.Status == ledger.StatusSent })
}

// outlive returns a context that ends grace after parent does (or when cancelled), carrying
// parent's values.
func outlive(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() {
		stop()
		cancel()
	}
}

// keepSent writes the rows of sent notifications when the batch cannot be settled because ctx
// ended mid-batch: the batch goes back to the queue, and its redelivery must skip them.
func (d *deliverer) keepSent(ctx context.Context, rows []ledger.Entry) {
	rows = slices.DeleteFunc(slices.Clone(rows), func(e ledger.Entry) bool { return e.Status != ledger.StatusSent })
	if len(rows) > 0 {
		d.durable(ctx, func(ctx context.Context) error { return d.ledger.Record(ctx, rows...) })
	}
}

// durable retries effect, which writes the rows of sent notifications, until it succeeds or
// settleGrace after ctx ended; it reports whether it succeeded.
func (d *deliverer) durable(ctx context.Context, effect func(context.Context) error) bool {
	ctx, cancel := outlive(ctx, settleGrace)
	defer cancel()
	err := backoff.Default().Retry(ctx, effect, func(attempt int, err error) {
		if attempt == 0 {
			d.logger.WarnContext(ctx, "record sent notifications; retrying", "channel", d.channel, "error", err)
		}
	})
	if err != nil {
		d.logger.ErrorContext(ctx, "sent notifications not recorded in time: a redelivery will send them again", "channel", d.channel)
		return false
	}
	return true
}

// outcome is what deliver did: what must be made durable before the ack, and the send's error.
type outcome struct {
	out  []rabbit.Outgoing
	rows []ledger.Entry
	err  error
}

// deliver sends one notification. ok is false when ctx ended before the outcome was known. A
// non-nil down is the batch's earlier failure to reach the server: the notification is not sent
// but takes the temporary-failure path at once.
func (d *deliverer) deliver(ctx context.Context, dl amqp.Delivery, n wire.Notification, prior int, down error) (res outcome, ok bool) {
	attempt := prior + 1
	log := d.logger.With("channel", d.channel, "notification_id", n.ID, "attempt", attempt)
	err := down
	if err == nil {
		start := time.Now()
		err = d.notifier.Send(ctx, n)
		d.m.sendSeconds.WithLabelValues(d.channel).Observe(time.Since(start).Seconds())
	}
	if err != nil && ctx.Err() != nil {
		return outcome{err: err}, false
	}
	now := d.now()
	switch {
	case err == nil:
		d.lastClass = ""
		row := ledger.EntryFor(n, d.channel, ledger.StatusSent, attempt, "", now)
		rerr := d.ledger.Record(ctx, row)
		d.m.delivered.WithLabelValues(d.channel, outcomeSent).Inc() // after the row, which tests rely on
		if rerr != nil {
			log.WarnContext(ctx, "record sent notification; will retry before acking", "error", rerr)
			return outcome{rows: []ledger.Entry{row}}, true
		}
		return outcome{}, true

	case notify.IsPermanent(err):
		d.m.delivered.WithLabelValues(d.channel, outcomeFailedPermanent).Inc()
		log.WarnContext(ctx, "permanent delivery failure; dead-lettered", "error_class", errorClass(err))
		log.DebugContext(ctx, "permanent delivery failure", "error", err)
		reason := "permanent failure: " + err.Error()
		return outcome{out: []rabbit.Outgoing{d.deadLetter(dl, n, reason, now)},
			rows: []ledger.Entry{ledger.EntryFor(n, d.channel, ledger.StatusFailedPermanent, attempt, err.Error(), now)}, err: err}, true

	case prior < len(d.delays):
		d.m.delivered.WithLabelValues(d.channel, outcomeRetried).Inc()
		delay := d.delays[prior]
		// A server that is down fails every notification the same way: log the first of a run
		// (the class carries no address), the rest at Debug.
		level := slog.LevelDebug
		if class := errorClass(err); class != d.lastClass {
			level, d.lastClass = slog.LevelWarn, class
		}
		log.Log(ctx, level, "temporary delivery failure; retrying later", "delay", delay, "error_class", d.lastClass)
		log.DebugContext(ctx, "temporary delivery failure", "error", err)
		return outcome{out: []rabbit.Outgoing{d.retry(n, attempt, delay, err)}, err: err}, true

	default:
		d.m.delivered.WithLabelValues(d.channel, outcomeDead).Inc()
		log.WarnContext(ctx, "temporary delivery failure after the last attempt; dead-lettered", "error_class", errorClass(err))
		log.DebugContext(ctx, "temporary delivery failure", "error", err)
		reason := fmt.Sprintf("gave up after %d attempts: %v", attempt, err)
		return outcome{out: []rabbit.Outgoing{d.deadLetter(dl, n, reason, now)},
			rows: []ledger.Entry{ledger.EntryFor(n, d.channel, ledger.StatusDead, attempt, err.Error(), now)}, err: err}, true
	}
}

// sentAlready asks the ledger which notifications were sent, retrying while the database is
// unreachable; it fails only when ctx ends.
func (d *deliverer) sentAlready(ctx context.Context, ns []wire.Notification) (map[string]bool, error) {
	ids := make([]string, 0, len(ns))
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	var sent map[string]bool
	err := backoff.Default().Retry(ctx, func(ctx context.Context) error {
		var err error
		sent, err = d.ledger.Sent(ctx, ids)
		return err
	}, func(attempt int, err error) {
		if attempt == 0 {
			d.logger.WarnContext(ctx, "look up delivery ledger; retrying", "channel", d.channel, "error", err)
		}
	})
	return sent, err
}

// retry is the one-notification batch for the delay queue of delay.
func (d *deliverer) retry(n wire.Notification, attempt int, delay time.Duration, cause error) rabbit.Outgoing {
	body := encodeOne(d.channel, n)
	return rabbit.Outgoing{
		Exchange: "", // the default exchange routes by queue name
		Key:      d.topo.RetryQueue(d.channel, delay),
		Msg: amqp.Publishing{
			Headers: amqp.Table{
				HeaderAttempt:   int32(attempt),
				headerLastError: ledger.ShortError(cause.Error()),
			},
			ContentType: wire.ContentType,
			Type:        wire.TypeNotifications,
			MessageId:   n.ID,
			Timestamp:   d.now(),
			Body:        body,
		},
	}
}

// deadLetter is the dead letter of one notification of dl: dl's properties and headers, with a
// body holding only that notification, so re-driving it sends nothing else again.
func (d *deliverer) deadLetter(dl amqp.Delivery, n wire.Notification, reason string, now time.Time) rabbit.Outgoing {
	one := dl
	one.Body = encodeOne(d.channel, n)
	one.MessageId = n.ID
	return letter.For(d.topo.DeadLetterExchange, one, d.stage(), reason, now)
}

func (d *deliverer) stage() string { return "backend-" + d.channel }

// encodeOne encodes a batch of one notification; it cannot fail for a decoded notification.
func encodeOne(channel string, n wire.Notification) []byte {
	b, err := wire.Encode(&wire.NotificationBatch{Channel: channel, Notifications: []wire.Notification{n}})
	if err != nil {
		panic(fmt.Sprintf("encode a decoded notification: %v", err)) // recovered by the consume loop
	}
	return b
}

// attemptOf reads HeaderAttempt; absent or unreadable means none.
func attemptOf(d amqp.Delivery) int {
	var n int64
	switch v := d.Headers[HeaderAttempt].(type) {
	case int8:
		n = int64(v)
	case int16:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case int:
		n = int64(v)
	case string:
		n, _ = strconv.ParseInt(v, 10, 64)
	}
	return int(max(n, 0))
}

// unreachable reports whether err means the server could not be reached at all (a refused or
// timed-out connection), as opposed to a reply about one message.
func unreachable(err error) bool {
	switch errorClass(err) {
	case "connection", "timeout":
		return true
	}
	return false
}

// errorClass is a log-safe description of a failure: SMTP replies may quote the address, which
// logs above Debug must not show. The full error goes to the ledger and the dead letter.
func errorClass(err error) string {
	var ne interface{ Timeout() bool }
	var ce interface{ ErrorClass() string } // a notifier's own log-safe class, e.g. "irc 401"
	msg := err.Error()
	switch {
	case errors.As(err, &ce):
		return ce.ErrorClass()
	case len(msg) >= 8 && msg[:5] == "smtp " && msg[5] >= '0' && msg[5] <= '9':
		return msg[:8] // "smtp 451"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case notify.IsPermanent(err):
		return "rejected"
	default:
		return "connection"
	}
}
