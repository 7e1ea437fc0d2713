package rabbit

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// DeliveryLimit is the x-delivery-limit of every quorum queue fmn owns
// (except the dead-letter queue). A message that has been returned to its
// queue this many times (nacked with requeue, or left unacked by a consumer
// whose channel or process died) is dead-lettered instead of being delivered
// again, so a poison message cannot crash consumers forever. 20 leaves ample
// room for ordinary redeliveries after restarts and broker failovers.
const DeliveryLimit = 20

// Topology names every exchange and queue fmn uses.
type Topology struct {
	// BusExchange is the topic exchange the bus publishes to. Exchanges whose
	// name starts with "amq." are pre-declared by the broker and are never
	// declared or deleted by fmn; any other name is declared as a durable
	// topic exchange.
	BusExchange string
	// BusQueue is the quorum queue bound to BusExchange with BusBindings.
	BusQueue string
	// BusBindings are the binding keys of BusQueue on BusExchange.
	BusBindings []string
	// ArchiveQueue is the quorum queue the consumer's archiver takes messages from: the
	// consumer publishes every work item to it as well as to WorkQueue, so that archiving never
	// holds up the pipeline. Empty when archiving is off (it must then not exist: nothing would
	// drain it).
	ArchiveQueue string
	// WorkQueue is the quorum queue from the consumer to the workers.
	WorkQueue string
	// NotificationsExchange is the direct exchange notifications are
	// published to, with the delivery channel name as routing key.
	NotificationsExchange string
	// DeliverQueues maps a delivery channel ("email", "irc", "sse") to its
	// quorum queue, bound to NotificationsExchange with the channel name as
	// binding key.
	DeliverQueues map[string]string
	// DeadLetterExchange is the fanout exchange every quorum queue
	// dead-letters to.
	DeadLetterExchange string
	// DeadLetterQueue is the quorum queue bound to DeadLetterExchange.
	DeadLetterQueue string
	// PrefsExchange is the fanout exchange preference-change events are
	// published to. Each worker binds its own exclusive queue to it.
	PrefsExchange string
	// RetryQueuePrefix starts the name of every delay queue.
	RetryQueuePrefix string
	// RetryDelays maps a delivery channel to the delays of its retries, in
	// order: the n-th retry of a notification waits RetryDelays[channel][n-1]
	// in the delay queue RetryQueue(channel, delay), whose messages expire
	// after that delay and dead-letter back to NotificationsExchange with the
	// channel as routing key. Only processes that retry (the backend) set it.
	RetryDelays map[string][]time.Duration
}

// DefaultTopology returns the names used in production.
func DefaultTopology() Topology {
	return Topology{
		BusExchange:           "amq.topic",
		BusQueue:              "fmn.bus",
		BusBindings:           []string{"#"},
		ArchiveQueue:          "fmn.archive",
		WorkQueue:             "fmn.work",
		NotificationsExchange: "fmn.notifications",
		DeliverQueues: map[string]string{
			"email": "fmn.deliver.email",
			"irc":   "fmn.deliver.irc",
			"sse":   "fmn.deliver.sse",
		},
		DeadLetterExchange: "fmn.dead",
		DeadLetterQueue:    "fmn.dead",
		PrefsExchange:      "fmn.prefs",
		RetryQueuePrefix:   "fmn.retry.",
	}
}

// WithRetryDelays returns a copy of t whose channel retries after delays.
func (t Topology) WithRetryDelays(channel string, delays []time.Duration) Topology {
	p := t
	p.RetryDelays = cloneDelays(t.RetryDelays)
	if p.RetryDelays == nil {
		p.RetryDelays = make(map[string][]time.Duration, 1)
	}
	p.RetryDelays[channel] = slices.Clone(delays)
	return p
}

func cloneDelays(m map[string][]time.Duration) map[string][]time.Duration {
	if m == nil {
		return nil
	}
	out := make(map[string][]time.Duration, len(m))
	for c, d := range m {
		out[c] = slices.Clone(d)
	}
	return out
}

// RetryQueue names the delay queue of channel for delay, e.g.
// "fmn.retry.email.10s". The delay is part of the name because a queue's
// TTL cannot change once declared: new delays get new queues.
func (t Topology) RetryQueue(channel string, delay time.Duration) string {
	return t.RetryQueuePrefix + channel + "." + formatDelay(delay)
}

// formatDelay writes d in its largest whole unit.
func formatDelay(d time.Duration) string {
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d%u.unit == 0 {
			return strconv.FormatInt(int64(d/u.unit), 10) + u.name
		}
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// Prefixed returns a copy whose exchange and queue names, the bus exchange
// included, start with prefix. Tests use a unique prefix so they never share
// names; a prefixed "amq.topic" is then an ordinary, fmn-owned topic exchange.
func (t Topology) Prefixed(prefix string) Topology {
	p := t
	p.BusExchange = prefix + t.BusExchange
	p.BusQueue = prefix + t.BusQueue
	p.BusBindings = slices.Clone(t.BusBindings)
	p.ArchiveQueue = prefix + t.ArchiveQueue
	p.WorkQueue = prefix + t.WorkQueue
	p.NotificationsExchange = prefix + t.NotificationsExchange
	p.DeliverQueues = make(map[string]string, len(t.DeliverQueues))
	for channel, queue := range t.DeliverQueues {
		p.DeliverQueues[channel] = prefix + queue
	}
	p.DeadLetterExchange = prefix + t.DeadLetterExchange
	p.DeadLetterQueue = prefix + t.DeadLetterQueue
	p.PrefsExchange = prefix + t.PrefsExchange
	p.RetryQueuePrefix = prefix + t.RetryQueuePrefix
	p.RetryDelays = cloneDelays(t.RetryDelays)
	return p
}

// Queues returns the names of every queue Declare creates, sorted.
func (t Topology) Queues() []string {
	qs := []string{t.BusQueue, t.WorkQueue, t.DeadLetterQueue}
	if t.ArchiveQueue != "" {
		qs = append(qs, t.ArchiveQueue)
	}
	qs = append(qs, slices.Collect(maps.Values(t.DeliverQueues))...)
	for channel, delays := range t.RetryDelays {
		for _, d := range delays {
			qs = append(qs, t.RetryQueue(channel, d))
		}
	}
	slices.Sort(qs)
	return slices.Compact(qs)
}

// exchange is one exchange to declare.
type exchange struct{ name, kind string }

// exchanges returns the exchanges Declare creates, in declaration order.
func (t Topology) exchanges() []exchange {
	ex := []exchange{
		{t.DeadLetterExchange, amqp.ExchangeFanout},
		{t.NotificationsExchange, amqp.ExchangeDirect},
		{t.PrefsExchange, amqp.ExchangeFanout},
	}
	if !isPredeclared(t.BusExchange) {
		ex = append(ex, exchange{t.BusExchange, amqp.ExchangeTopic})
	}
	return ex
}

// isPredeclared reports whether the broker owns the exchange: amq.* exchanges
// exist already and may not be redeclared with other arguments.
func isPredeclared(name string) bool { return strings.HasPrefix(name, "amq.") }

// Declare declares every exchange, queue and binding idempotently. Every
// queue is a durable quorum queue. All but the dead-letter queue dead-letter
// to DeadLetterExchange and have an x-delivery-limit of DeliveryLimit. The
// dead-letter queue has neither: dead-lettering it to itself would loop, and a
// delivery limit would eventually drop dead letters an operator browses
// repeatedly.
//
// Declaring a queue that exists with other arguments fails with a 406
// PRECONDITION_FAILED error and closes ch.
func (t Topology) Declare(ch *amqp.Channel) error {
	for _, ex := range t.exchanges() {
		if err := ch.ExchangeDeclare(ex.name, ex.kind, true, false, false, false, nil); err != nil {
			return fmt.Errorf("declare exchange %s: %w", ex.name, err)
		}
	}

	dlq := amqp.Table{amqp.QueueTypeArg: amqp.QueueTypeQuorum}
	if err := declareQueue(ch, t.DeadLetterQueue, dlq); err != nil {
		return err
	}
	if err := bindQueue(ch, t.DeadLetterQueue, "", t.DeadLetterExchange); err != nil {
		return err
	}

	args := amqp.Table{
		amqp.QueueTypeArg:        amqp.QueueTypeQuorum,
		"x-dead-letter-exchange": t.DeadLetterExchange,
		"x-delivery-limit":       int32(DeliveryLimit),
	}
	if err := declareQueue(ch, t.BusQueue, args); err != nil {
		return err
	}
	for _, key := range t.BusBindings {
		if err := bindQueue(ch, t.BusQueue, key, t.BusExchange); err != nil {
			return err
		}
	}
	if t.ArchiveQueue != "" {
		if err := declareQueue(ch, t.ArchiveQueue, args); err != nil {
			return err
		}
		// The archive queue used to be bound to the bus; it now gets the consumer's work items.
		for _, key := range t.BusBindings {
			if err := ch.QueueUnbind(t.ArchiveQueue, key, t.BusExchange, nil); err != nil {
				return fmt.Errorf("unbind %s from %s: %w", t.ArchiveQueue, t.BusExchange, err)
			}
		}
	}
	if err := declareQueue(ch, t.WorkQueue, args); err != nil {
		return err
	}
	for _, channel := range slices.Sorted(maps.Keys(t.DeliverQueues)) {
		queue := t.DeliverQueues[channel]
		if err := declareQueue(ch, queue, args); err != nil {
			return err
		}
		if err := bindQueue(ch, queue, channel, t.NotificationsExchange); err != nil {
			return err
		}
	}
	return t.declareRetryQueues(ch)
}

// declareRetryQueues declares the delay queues. They have no consumer and
// no binding: the backend publishes to them through the default exchange,
// and each message expires after the queue's TTL and is dead-lettered back
// to the notifications exchange with the channel as routing key. Dead-
// lettering is at-least-once (which quorum queues support only with
// reject-publish overflow), so a retry is never lost on the way back.
func (t Topology) declareRetryQueues(ch *amqp.Channel) error {
	for _, channel := range slices.Sorted(maps.Keys(t.RetryDelays)) {
		for _, d := range t.RetryDelays[channel] {
			if d < time.Millisecond {
				return fmt.Errorf("retry delay %s of channel %s: must be at least 1ms", d, channel)
			}
			args := amqp.Table{
				amqp.QueueTypeArg:           amqp.QueueTypeQuorum,
				"x-message-ttl":             d.Milliseconds(),
				"x-dead-letter-exchange":    t.NotificationsExchange,
				"x-dead-letter-routing-key": channel,
				"x-dead-letter-strategy":    "at-least-once",
				"x-overflow":                "reject-publish",
			}
			if err := declareQueue(ch, t.RetryQueue(channel, d), args); err != nil {
				return err
			}
		}
	}
	return nil
}

func declareQueue(ch *amqp.Channel, name string, args amqp.Table) error {
	if _, err := ch.QueueDeclare(name, true, false, false, false, args); err != nil {
		return fmt.Errorf("declare queue %s: %w", name, err)
	}
	return nil
}

func bindQueue(ch *amqp.Channel, queue, key, exchange string) error {
	if err := ch.QueueBind(queue, key, exchange, false, nil); err != nil {
		return fmt.Errorf("bind queue %s to exchange %s with key %q: %w", queue, exchange, key, err)
	}
	return nil
}

// Delete deletes every queue and exchange Declare created, with the messages
// they hold (tests use it in cleanup). Pre-declared amq.* exchanges are left
// alone. Queues and exchanges that do not exist are skipped: RabbitMQ treats
// deleting them as success.
func (t Topology) Delete(ch *amqp.Channel) error {
	var errs []error
	for _, q := range t.Queues() {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil && !IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete queue %s: %w", q, err))
		}
	}
	for _, ex := range t.exchanges() {
		if err := ch.ExchangeDelete(ex.name, false, false); err != nil && !IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete exchange %s: %w", ex.name, err))
		}
	}
	return errors.Join(errs...)
}

// IsNotFound reports whether err is the broker's 404 NOT_FOUND (for a passive declare of a
// missing queue, say; it also closes the channel).
func IsNotFound(err error) bool { return isCode(err, amqp.NotFound) }
