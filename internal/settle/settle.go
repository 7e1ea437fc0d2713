// Package settle holds the rule every stage follows when it finishes a batch of deliveries: the
// batch is acked only after its effect is durable, and a batch that can never succeed goes to the
// queue's dead-letter exchange.
package settle

import (
	"context"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/backoff"
)

// Batch makes a batch's effect durable and then acks the batch. effect is retried with backoff
// until it succeeds (onRetry sees each failure), because requeueing would count against the
// queue's delivery limit during a broker or database hiccup. If ctx ends first, the batch is left
// unacked and the broker redelivers it; downstream ids make the repeat harmless.
func Batch(ctx context.Context, batch []amqp.Delivery, effect func(ctx context.Context) error,
	onRetry func(attempt int, err error), beforeAck func(context.Context)) {
	if err := backoff.Default().Retry(ctx, effect, onRetry); err != nil {
		return
	}
	if beforeAck != nil {
		beforeAck(ctx)
	}
	if ctx.Err() != nil {
		return
	}
	if len(batch) > 0 {
		// One ack for the whole batch (multiple): a batch from ConsumeBatches comes off one
		// channel in delivery order and is settled before the next is handed over, so every
		// delivery outstanding up to its last tag is in it. A failed ack means a lost channel:
		// the broker redelivers.
		_ = batch[len(batch)-1].Ack(true)
	}
}

// Reject hands every delivery of a batch to the queue's dead-letter exchange. It is for batches
// that can never succeed.
func Reject(batch []amqp.Delivery) {
	for _, d := range batch {
		_ = d.Nack(false, false)
	}
}
