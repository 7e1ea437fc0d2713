package rabbit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ConsumeOptions configures ConsumeBatches.
type ConsumeOptions struct {
	// Queue is the queue to consume from (unless Declare names another).
	Queue string
	// Prefetch is the channel's Qos prefetch count. It must be at least
	// MaxBatch, or batches could never fill; zero means MaxBatch.
	Prefetch int
	// MaxBatch is the largest batch handed to the handler; zero means 1.
	MaxBatch int
	// Linger is how long to wait for a batch to fill after its first
	// delivery; 0 hands over what is already buffered.
	Linger time.Duration
	// Exclusive asks for an exclusive consumer. While another connection
	// holds the queue exclusively, ConsumeBatches keeps retrying (a standby
	// replica). Beware: quorum queues (all of Topology's) ignore the flag in
	// RabbitMQ 3.10 and serve several "exclusive" consumers side by side;
	// one consumer at a time there needs the x-single-active-consumer queue
	// argument (or a lock outside RabbitMQ).
	Exclusive bool
	// Declare, if set, declares a per-consumer queue on every
	// (re)subscription, e.g. a server-named exclusive queue bound to the
	// prefs fanout, and returns its name, which overrides Queue.
	Declare func(ch *amqp.Channel) (queue string, err error)
	// OnReconnect, if set, is called after every re-subscription following
	// the loss of the channel or connection (not after the first
	// subscription), before any further batch is handled. Workers use it to
	// reload what they may have missed.
	OnReconnect func()
}

// withDefaults validates o and fills in defaults.
func (o ConsumeOptions) withDefaults() (ConsumeOptions, error) {
	if o.Queue == "" && o.Declare == nil {
		return o, errors.New("consume: no queue given and no Declare func")
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1
	}
	if o.Prefetch == 0 {
		o.Prefetch = o.MaxBatch
	}
	if o.Prefetch < o.MaxBatch {
		return o, fmt.Errorf("consume %s: prefetch %d is less than max batch %d", o.Queue, o.Prefetch, o.MaxBatch)
	}
	if o.Linger < 0 {
		return o, fmt.Errorf("consume %s: negative linger %s", o.Queue, o.Linger)
	}
	return o, nil
}

// PermanentError is returned by ConsumeBatches when consuming cannot work
// until someone changes the broker or the configuration, e.g. the queue does
// not exist (404) or access is refused (403).
type PermanentError struct {
	Queue string
	Err   error
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("consume %s: %v", e.Queue, e.Err)
}

func (e *PermanentError) Unwrap() error { return e.Err }

// ConsumeBatches consumes from a queue with manual acks until ctx ends,
// calling handler (never concurrently) with batches of 1..MaxBatch
// deliveries. The handler acks or nacks each delivery itself (d.Ack, d.Nack).
// A handler that panics is logged with its stack and its channel is closed,
// so its unacked deliveries go back to the queue (and, after DeliveryLimit
// returns, to the dead-letter queue).
//
// After a channel or connection loss ConsumeBatches waits for the reconnect
// and subscribes again; unacked deliveries of the lost channel are
// redelivered by the broker. It returns nil when ctx ends, after the running
// handler returned; it returns ErrClosed if the Conn is closed, and a
// *PermanentError if subscribing fails for good (the queue does not exist
// after Setup, access refused).
func (c *Conn) ConsumeBatches(ctx context.Context, opts ConsumeOptions, handler func(ctx context.Context, batch []amqp.Delivery)) error {
	opts, err := opts.withDefaults()
	if err != nil {
		return err
	}
	logger := c.logger
	if opts.Queue != "" {
		logger = logger.With("queue", opts.Queue)
	}
	var (
		subscribed bool   // at least once
		attempt    int    // failed subscriptions in a row
		lastErr    string // logged at Warn; a repeat is logged at Debug
	)
	for {
		err := c.consume(ctx, opts, handler, &subscribed)
		if ctx.Err() != nil {
			return nil
		}
		var perm *PermanentError
		if errors.As(err, &perm) || errors.Is(err, ErrClosed) {
			return err
		}
		if subscribed && errors.Is(err, errInterrupted) {
			attempt = 0
		}
		if pe := (*panicError)(nil); errors.As(err, &pe) {
			logger.ErrorContext(ctx, "batch handler panicked; its unacked deliveries go back to the queue",
				"error", err, "stack", string(pe.stack))
		} else {
			level := slog.LevelDebug
			if msg := err.Error(); msg != lastErr {
				level, lastErr = slog.LevelWarn, msg
			}
			logger.Log(ctx, level, "consumer interrupted, subscribing again", "attempt", attempt+1, "error", err)
		}
		// Waiting for a new connection happens in Channel; this only keeps
		// a subscription failing on a healthy connection from spinning.
		t := time.NewTimer(c.backoff(attempt))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
		attempt++
	}
}

// errInterrupted marks a subscription that worked and was then lost.
var errInterrupted = errors.New("subscription interrupted")

// consume subscribes once and handles batches until the subscription ends.
func (c *Conn) consume(ctx context.Context, opts ConsumeOptions, handler func(context.Context, []amqp.Delivery), subscribed *bool) error {
	ch, err := c.Channel(ctx)
	if err != nil {
		return err
	}
	// Closing the channel returns its unacked deliveries to the queue.
	defer func() { _ = ch.Close() }()
	closes := ch.NotifyClose(make(chan *amqp.Error, 1))

	if err := ch.Qos(opts.Prefetch, 0, false); err != nil {
		return fmt.Errorf("set prefetch: %w", err)
	}
	queue := opts.Queue
	if opts.Declare != nil {
		if queue, err = opts.Declare(ch); err != nil {
			return classify(queue, fmt.Errorf("declare consumer queue: %w", err))
		}
	}
	// Not ctx: amqp091-go would then send basic.cancel from its own
	// goroutine, racing our ch.Close (two RPCs in flight on one channel can
	// leave Close waiting forever). Closing the channel ends the consumer.
	deliveries, err := ch.ConsumeWithContext(context.WithoutCancel(ctx), queue, "", false, opts.Exclusive, false, false, nil)
	if err != nil {
		if opts.Exclusive && isCode(err, amqp.AccessRefused) {
			// Another exclusive consumer holds the queue: a standby
			// replica keeps trying until it goes away.
			return fmt.Errorf("subscribe to %s: %w", queue, err)
		}
		return classify(queue, err)
	}
	reconnect := *subscribed
	*subscribed = true
	if reconnect && opts.OnReconnect != nil {
		opts.OnReconnect()
	}

	for {
		batch, ok := nextBatch(ctx, deliveries, opts)
		if ctx.Err() != nil {
			// Never hand over a batch after ctx ended; it goes back to the
			// queue when the channel closes.
			return nil
		}
		if !ok {
			// Deliveries already received are left unacked; closing the
			// channel hands them back.
			reason := error(errors.New("consumer cancelled by the broker"))
			select {
			case e, ok := <-closes:
				if ok && e != nil {
					reason = e
				}
			default:
			}
			return fmt.Errorf("consume %s: %w: %w", queue, errInterrupted, reason)
		}
		if err := safeHandle(ctx, handler, batch); err != nil {
			return fmt.Errorf("consume %s: %w: %w", queue, errInterrupted, err)
		}
	}
}

// nextBatch waits for the first delivery, then collects more until the
// batch is full, the linger time has passed (or, with no linger, nothing more
// is buffered). It returns false when ctx ended or deliveries closed; a
// partial batch is then dropped (left unacked for redelivery).
func nextBatch(ctx context.Context, deliveries <-chan amqp.Delivery, opts ConsumeOptions) ([]amqp.Delivery, bool) {
	var batch []amqp.Delivery
	select {
	case d, ok := <-deliveries:
		if !ok {
			return nil, false
		}
		batch = append(make([]amqp.Delivery, 0, opts.MaxBatch), d)
	case <-ctx.Done():
		return nil, false
	}

	var linger <-chan time.Time // nil (never ready) without linger
	if opts.Linger > 0 {
		t := time.NewTimer(opts.Linger)
		defer t.Stop()
		linger = t.C
	}
	for len(batch) < opts.MaxBatch {
		select {
		case d, ok := <-deliveries:
			if !ok {
				return nil, false
			}
			batch = append(batch, d)
			continue
		case <-ctx.Done():
			return nil, false
		default:
		}
		if linger == nil {
			break // nothing more buffered
		}
		select {
		case d, ok := <-deliveries:
			if !ok {
				return nil, false
			}
			batch = append(batch, d)
		case <-linger:
			return batch, true
		case <-ctx.Done():
			return nil, false
		}
	}
	return batch, true
}

// panicError is a recovered handler panic.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("handler panic: %v", e.value) }

// safeHandle calls handler and turns a panic into a *panicError.
func safeHandle(ctx context.Context, handler func(context.Context, []amqp.Delivery), batch []amqp.Delivery) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r, stack: debug.Stack()}
		}
	}()
	handler(ctx, batch)
	return nil
}

// isCode reports whether err is a broker error with the given reply code.
func isCode(err error, code int) bool {
	var ae *amqp.Error
	return errors.As(err, &ae) && ae.Code == code
}

// classify wraps a subscription error as a *PermanentError when retrying
// cannot help.
func classify(queue string, err error) error {
	var ae *amqp.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case amqp.NotFound:
			return &PermanentError{Queue: queue, Err: fmt.Errorf("queue does not exist (is it declared by Setup?): %w", err)}
		case amqp.AccessRefused, amqp.PreconditionFailed:
			return &PermanentError{Queue: queue, Err: err}
		}
	}
	return fmt.Errorf("subscribe to %s: %w", queue, err)
}
