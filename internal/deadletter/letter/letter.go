// Package letter builds the messages fmn's stages send to the dead-letter exchange: the original
// delivery, unchanged, plus headers saying which stage refused it and why. It is a leaf, so that
// every stage can refuse a delivery without linking the archiver (package deadletter), which
// reads those headers back.
package letter

import (
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/rabbit"
)

// Headers added to a dead letter.
const (
	HeaderReason             = "x-fmn-reason"
	HeaderStage              = "x-fmn-stage"
	HeaderOriginalExchange   = "x-fmn-original-exchange"
	HeaderOriginalRoutingKey = "x-fmn-original-routing-key"
	HeaderDeadAt             = "x-fmn-dead-at"
)

// maxReason bounds the reason header.
const maxReason = 500

// For returns the dead letter for d, to be published on exchange.
func For(exchange string, d amqp.Delivery, stage, reason string, now time.Time) rabbit.Outgoing {
	if len(reason) > maxReason {
		reason = reason[:maxReason]
	}
	h := make(amqp.Table, len(d.Headers)+5)
	for k, v := range d.Headers {
		h[k] = v
	}
	h[HeaderReason] = reason
	h[HeaderStage] = stage
	h[HeaderOriginalExchange] = d.Exchange
	h[HeaderOriginalRoutingKey] = d.RoutingKey
	h[HeaderDeadAt] = now.UTC().Format(time.RFC3339Nano)
	return rabbit.Outgoing{
		Exchange: exchange,
		Key:      d.RoutingKey,
		Msg: amqp.Publishing{
			Headers:      h,
			ContentType:  d.ContentType,
			MessageId:    d.MessageId,
			Timestamp:    d.Timestamp,
			Type:         d.Type,
			Body:         d.Body,
			DeliveryMode: amqp.Persistent,
		},
	}
}
