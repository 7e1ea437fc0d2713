package loadtest

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/loadtest/report"
	"fmn/internal/rabbit"
)

// ceiling measures the transport ceiling with messages of the run's sizes: one hop, then two.
func (e *environment) ceiling(ctx context.Context) (*report.Ceiling, error) {
	tr, err := makeTraffic(e.ts, e.cfg.Messages, "ceiling", nil, nil, time.Now())
	if err != nil {
		return nil, err
	}
	c := &report.Ceiling{Messages: e.cfg.Messages, PayloadBytes: tr.payloadBytes}
	e.logf("transport ceiling: one hop")
	if c.SingleHop, err = measureCeiling(ctx, e.conn, e.cfg.amqpPrefix(), tr, 1); err != nil {
		return nil, err
	}
	e.logf("transport ceiling: two hops")
	if c.TwoHop, err = measureCeiling(ctx, e.conn, e.cfg.amqpPrefix(), tr, 2); err != nil {
		return nil, err
	}
	e.logf("ceiling: %.0f msg/s one hop, %.0f two hops", c.SingleHop, c.TwoHop)
	return c, nil
}

// ceilingQueues are the queues of the transport ceiling, declared like fmn's (quorum, with a
// delivery limit) and deleted after.
func ceilingQueues(prefix string) []string {
	return []string{prefix + "ceiling.1", prefix + "ceiling.2"}
}

// measureCeiling publishes tr's messages into the first ceiling queue and consumes them through
// hops queues (1 or 2: the second hop republishes each batch, confirmed, before acking), and
// returns messages/s from the first publish to the last ack. Batching is fmn's own: the
// consumer's batch and linger, a confirmed publish per batch.
func measureCeiling(ctx context.Context, conn *rabbit.Conn, prefix string, tr *traffic, hops int) (float64, error) {
	qs := ceilingQueues(prefix)[:hops]
	ch, err := conn.Channel(ctx)
	if err != nil {
		return 0, err
	}
	args := amqp.Table{amqp.QueueTypeArg: amqp.QueueTypeQuorum, "x-delivery-limit": int32(rabbit.DeliveryLimit)}
	for _, q := range qs {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil && !rabbit.IsNotFound(err) {
			return 0, fmt.Errorf("ceiling: delete %s: %w", q, err)
		}
		if _, err := ch.QueueDeclare(q, true, false, false, false, args); err != nil {
			return 0, fmt.Errorf("ceiling: declare %s: %w", q, err)
		}
	}
	_ = ch.Close()

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var done atomic.Int64
	finished := make(chan struct{})
	n := int64(len(tr.msgs))
	errs := make(chan error, hops)
	for i, q := range qs {
		last := i == len(qs)-1
		pub := conn.NewPublisher()
		defer pub.Close()
		go func() {
			errs <- conn.ConsumeBatches(cctx, rabbit.ConsumeOptions{Queue: q, Prefetch: 256, MaxBatch: 64, Linger: 5 * time.Millisecond},
				func(ctx context.Context, batch []amqp.Delivery) {
					if !last {
						out := make([]rabbit.Outgoing, len(batch))
						for j, d := range batch {
							out[j] = rabbit.Outgoing{Key: qs[i+1], Msg: amqp.Publishing{MessageId: d.MessageId, ContentType: d.ContentType,
								Headers: d.Headers, Body: d.Body}}
						}
						if err := pub.Publish(ctx, out...); err != nil {
							return // unacked: redelivered
						}
					}
					_ = batch[len(batch)-1].Ack(true) // as service.Settle does

					if last && done.Add(int64(len(batch))) >= n {
						select {
						case <-finished:
						default:
							close(finished)
						}
					}
				})
		}()
	}
	pub := conn.NewPublisher()
	defer pub.Close()
	first := &traffic{msgs: make([]busMessage, len(tr.msgs))}
	for i, m := range tr.msgs {
		first.msgs[i] = busMessage{pub: m.pub, key: qs[0]}
	}
	start := time.Now()
	if err := publish(ctx, pub, "", first, 0, newClock(first)); err != nil {
		return 0, err
	}
	select {
	case <-finished:
	case err := <-errs:
		return 0, fmt.Errorf("ceiling consumer: %w", err)
	case <-time.After(10 * time.Minute):
		return 0, fmt.Errorf("ceiling: %d of %d messages after 10 minutes", done.Load(), n)
	}
	rate := float64(n) / time.Since(start).Seconds()
	cancel()
	ch, err = conn.Channel(ctx)
	if err == nil {
		for _, q := range qs {
			if _, err := ch.QueueDelete(q, false, false, false); err != nil {
				slog.Default().Debug("ceiling: delete queue", "queue", q, "error", err)
			}
		}
		_ = ch.Close()
	}
	return rate, nil
}
