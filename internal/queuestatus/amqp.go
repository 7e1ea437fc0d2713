package queuestatus

import (
	"context"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/rabbit"
)

// fromAMQP passive-declares every topology queue on a channel of its own. A missing queue is
// reported as Missing: its 404 closes the channel, so the next queue gets a new one. Other errors
// fail the poll, since they are about the broker or the connection rather than one queue.
func (s *Sampler) fromAMQP(ctx context.Context) ([]Queue, error) {
	names := s.top.Queues()
	out := make([]Queue, 0, len(names))
	var ch *amqp.Channel
	defer func() {
		if ch != nil {
			_ = ch.Close()
		}
	}()
	for _, name := range names {
		if ch == nil {
			var err error
			if ch, err = s.conn.Channel(ctx); err != nil {
				return nil, fmt.Errorf("amqp: %w", err)
			}
		}
		// Passive: never creates the queue, and the other flags are ignored.
		st, err := ch.QueueDeclarePassive(name, true, false, false, false, nil)
		q := s.topologyQueue(name, SourceAMQP)
		switch {
		case rabbit.IsNotFound(err):
			ch = nil // the broker closed it
			q.Missing = true
		case err != nil:
			return nil, fmt.Errorf("amqp: inspect queue %s: %w", name, err)
		default:
			q.Ready, q.Consumers = st.Messages, st.Consumers
		}
		out = append(out, q)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("amqp: %w", context.Cause(ctx))
		}
	}
	return out, nil
}
