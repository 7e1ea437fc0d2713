package rabbit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrUnroutable means the broker returned a mandatory message because no
// queue was bound for its exchange and routing key.
var ErrUnroutable = errors.New("rabbit: message unroutable")

// Outgoing is one message to publish.
type Outgoing struct {
	Exchange, Key string
	Msg           amqp.Publishing
}

// Publisher publishes with publisher confirms on its own channel, which it
// reopens on the current connection after a channel or connection loss. It is
// safe for concurrent use, but Publish calls on one Publisher are serialized
// (one batch in flight at a time, which is what lets it tell which batch a
// returned message belonged to); use one Publisher per concurrent publishing
// goroutine for more throughput.
type Publisher struct {
	conn *Conn
	// sem is a one-slot semaphore held by the running Publish or Close; it
	// guards the fields below and, unlike a mutex, lets waiters give up when
	// their ctx ends.
	sem    chan struct{}
	pc     *pubChannel // nil until first use and after a failure
	closed bool
	wg     sync.WaitGroup // discarded channels being closed
}

// NewPublisher returns a Publisher using c. It opens its channel on first use.
func (c *Conn) NewPublisher() *Publisher {
	return &Publisher{conn: c, sem: make(chan struct{}, 1)}
}

// Publish publishes msgs (setting persistent delivery mode where it is unset,
// always mandatory) and waits until the broker confirmed all of them. It
// returns nil only if every message was acked and none was returned as
// unroutable; if some were returned the error wraps ErrUnroutable. On a
// nack, a channel or connection loss, or the end of ctx it returns another
// error. After any error some of msgs may have been enqueued: the caller may
// retry them all (at-least-once: duplicates are allowed downstream, losses are
// not). If there is no connection, Publish waits for one up to ctx.
func (p *Publisher) Publish(ctx context.Context, msgs ...Outgoing) error {
	if len(msgs) == 0 {
		return nil
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("publish: %w", context.Cause(ctx))
	}
	defer func() { <-p.sem }()
	if p.closed {
		return ErrClosed
	}

	start := time.Now()
	res, err := p.publish(ctx, msgs)
	m := p.conn.metrics
	m.publishDur.Observe(time.Since(start).Seconds())
	m.published.WithLabelValues(outcomeConfirmed).Add(float64(max(res.acks-res.returns, 0)))
	m.published.WithLabelValues(outcomeReturned).Add(float64(res.returns))
	m.published.WithLabelValues(outcomeNacked).Add(float64(res.nacks))
	m.published.WithLabelValues(outcomeError).Add(float64(len(msgs) - res.acks - res.nacks))
	return err
}

// publish does the work of Publish; the caller holds sem.
func (p *Publisher) publish(ctx context.Context, msgs []Outgoing) (batchResult, error) {
	if p.pc != nil && p.pc.ch.IsClosed() {
		p.discard() // lost since the last call: reopen before publishing
	}
	if p.pc == nil {
		pc, err := p.open(ctx)
		if err != nil {
			return batchResult{}, fmt.Errorf("publish: %w", err)
		}
		p.pc = pc
	}
	pc := p.pc
	wake := pc.track.start(len(msgs))
	for i, o := range msgs {
		if o.Msg.DeliveryMode == 0 {
			o.Msg.DeliveryMode = amqp.Persistent
		}
		if err := pc.ch.PublishWithContext(ctx, o.Exchange, o.Key, true, false, o.Msg); err != nil {
			p.discard()
			return pc.track.result(), fmt.Errorf("publish message %d of %d to exchange %q with key %q: %w", i+1, len(msgs), o.Exchange, o.Key, err)
		}
	}

	select {
	case <-wake:
	case <-ctx.Done():
		// Confirms for this batch may still arrive and would be mistaken for
		// the next batch's: start the next one on a fresh channel.
		p.discard()
		return pc.track.result(), fmt.Errorf("wait for publisher confirms: %w", context.Cause(ctx))
	}
	res := pc.track.result()
	switch {
	case res.acks+res.nacks < len(msgs):
		p.discard()
		return res, fmt.Errorf("wait for publisher confirms: %d of %d confirmed: channel closed: %w", res.acks+res.nacks, len(msgs), pc.closeErr())
	case res.nacks > 0:
		return res, fmt.Errorf("publish: broker nacked %d of %d messages", res.nacks, len(msgs))
	case res.returns > 0:
		return res, fmt.Errorf("publish: %d of %d messages returned (first: %d %s, exchange %q, key %q): %w",
			res.returns, len(msgs), res.first.ReplyCode, res.first.ReplyText, res.first.Exchange, res.first.RoutingKey, ErrUnroutable)
	}
	return res, nil
}

// Close closes the Publisher's channel; later calls of Publish return
// ErrClosed. It waits for a running Publish to return. It is idempotent.
func (p *Publisher) Close() error {
	p.sem <- struct{}{}
	defer func() { <-p.sem }()
	p.closed = true
	p.discard()
	p.wg.Wait()
	return nil
}

// open opens a channel in confirm mode with its tracker.
func (p *Publisher) open(ctx context.Context) (*pubChannel, error) {
	ch, err := p.conn.Channel(ctx)
	if err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, fmt.Errorf("enable publisher confirms: %w", err)
	}
	pc := &pubChannel{
		ch:     ch,
		closes: ch.NotifyClose(make(chan *amqp.Error, 1)),
		done:   make(chan struct{}),
	}
	// Unbuffered on purpose: amqp091-go's reader goroutine hands over each
	// return and confirm in the order the broker sent them, and the broker
	// sends a message's basic.return before its basic.ack. One goroutine
	// receiving both keeps that order, so when the last ack of a batch is
	// counted, every return of the batch has been counted too.
	returns := ch.NotifyReturn(make(chan amqp.Return))
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation))
	p.wg.Go(func() { pc.track.run(returns, confirms); close(pc.done) })
	return pc, nil
}

// discard forgets the current channel and closes it in the background:
// closing waits for the broker, which a blocked connection may never answer.
// The tracking goroutine ends once the channel is closed.
func (p *Publisher) discard() {
	pc := p.pc
	if pc == nil {
		return
	}
	p.pc = nil
	p.wg.Go(func() {
		_ = pc.ch.Close()
		<-pc.done
	})
}

// pubChannel is a Publisher's channel in confirm mode.
type pubChannel struct {
	ch     *amqp.Channel
	closes chan *amqp.Error
	done   chan struct{} // closed when the tracking goroutine returned
	track  tracker
}

// closeErr returns why the channel closed, as far as it is known.
func (pc *pubChannel) closeErr() error {
	select {
	case err, ok := <-pc.closes:
		if ok && err != nil {
			return err
		}
	default:
	}
	return amqp.ErrClosed
}

// batchResult counts the broker's answers for one batch.
type batchResult struct {
	acks, nacks, returns int
	first                amqp.Return // the first returned message
}

// tracker counts the confirms and returns of the batch in flight.
type tracker struct {
	mu     sync.Mutex
	want   int
	res    batchResult
	wake   chan struct{} // closed when want confirms arrived or the channel closed
	closed bool
}

// start begins a batch of n messages and returns the channel closed when
// all are confirmed or the channel closes.
func (t *tracker) start(n int) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.want, t.res = n, batchResult{}
	t.wake = make(chan struct{})
	if t.closed {
		close(t.wake)
	}
	return t.wake
}

func (t *tracker) result() batchResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.res
}

// run receives returns and confirms until the channel closes. It never
// blocks for long: amqp091-go drops a notification its listener does not
// take within 5 seconds.
func (t *tracker) run(returns <-chan amqp.Return, confirms <-chan amqp.Confirmation) {
	for {
		select {
		case r, ok := <-returns:
			if !ok {
				returns = nil
				continue
			}
			t.mu.Lock()
			if t.res.returns == 0 {
				t.res.first = r
			}
			t.res.returns++
			t.mu.Unlock()
		case c, ok := <-confirms:
			t.mu.Lock()
			switch {
			case !ok:
				t.closed = true
			case c.Ack:
				t.res.acks++
			default:
				t.res.nacks++
			}
			if t.wake != nil && (t.closed || t.res.acks+t.res.nacks >= t.want) {
				close(t.wake)
				t.wake = nil
			}
			t.mu.Unlock()
			if !ok {
				return
			}
		}
	}
}
