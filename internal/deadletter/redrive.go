package deadletter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/rabbit"
)

// HeaderRedriven is set on a re-driven message: how many times its dead letter has been re-driven,
// this time included.
const HeaderRedriven = "x-fmn-redriven"

// ErrTruncated means a dead letter's body was cut when it was archived, so it cannot be re-driven.
var ErrTruncated = errors.New("the body was truncated when archived")

// ErrNotRedrivable means the dead letter's original exchange and routing key are not a
// destination fmn re-drives to.
var ErrNotRedrivable = errors.New("the original exchange and routing key are not one of fmn's")

// Redrivable reports whether topo owns the destination: the bus or notifications exchange, or the
// default exchange with one of topo's queues as routing key (how the consumer hands work over).
func Redrivable(topo rabbit.Topology, exchange, key string) bool {
	switch exchange {
	case topo.BusExchange, topo.NotificationsExchange:
		return true
	case "":
		if key == topo.WorkQueue {
			return true
		}
		for _, q := range topo.DeliverQueues {
			if key == q {
				return true
			}
		}
	}
	return false
}

// Republish returns the message that re-drives l: its original body, content type and message id,
// and its headers without fmn's x-fmn-* headers (the dead-letter headers, and a notification's
// retry attempt, so it starts afresh) and the broker's death headers, plus HeaderRedriven set to
// count, for the original exchange and routing key.
func Republish(l Letter, count int, now time.Time) (rabbit.Outgoing, error) {
	if l.Truncated {
		return rabbit.Outgoing{}, ErrTruncated
	}
	headers := amqp.Table{}
	if len(l.Headers) > 0 {
		dec := json.NewDecoder(bytes.NewReader(l.Headers))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return rabbit.Outgoing{}, fmt.Errorf("dead letter headers: %w", err)
		}
		for k, v := range m {
			if strings.HasPrefix(k, "x-fmn-") || k == "x-death" || strings.HasPrefix(k, "x-first-death-") ||
				strings.HasPrefix(k, "x-last-death-") || k == headerDeliveryCount {
				continue
			}
			headers[k] = valueAMQP(v)
		}
	}
	headers[HeaderRedriven] = int64(count)
	return rabbit.Outgoing{
		Exchange: l.OriginalExchange,
		Key:      l.OriginalRoutingKey,
		Msg: amqp.Publishing{
			Headers:      headers,
			ContentType:  l.ContentType,
			MessageId:    l.MessageID,
			Timestamp:    now,
			Body:         l.Body,
			DeliveryMode: amqp.Persistent,
		},
	}, nil
}

// valueAMQP turns a JSON header value back into an AMQP one: integers become int64, other
// numbers float64. Times and byte slices come back as the strings HeadersJSON made of them.
func valueAMQP(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		t := make(amqp.Table, len(v))
		for k, e := range v {
			t[k] = valueAMQP(e)
		}
		return t
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = valueAMQP(e)
		}
		return out
	default:
		return v
	}
}

// Redriver re-drives archived dead letters with publisher confirms.
type Redriver struct {
	store *Store
	pub   *rabbit.Publisher
	topo  rabbit.Topology
}

// NewRedriver returns a Redriver publishing with pub to topo's exchanges.
func NewRedriver(store *Store, pub *rabbit.Publisher, topo rabbit.Topology) *Redriver {
	return &Redriver{store: store, pub: pub, topo: topo}
}

// Redrive republishes the dead letter (see Republish) and, once the broker confirmed it, records
// the re-drive. It returns ErrNotFound, ErrTruncated, ErrNotRedrivable, or an error wrapping
// rabbit.ErrUnroutable when no queue is bound for the original destination. A notification that
// was delivered before is dropped by the delivery ledger, so re-driving twice is safe.
func (r *Redriver) Redrive(ctx context.Context, id int64, now time.Time) (Letter, error) {
	return r.store.Redrive(ctx, id, now, func(ctx context.Context, l Letter) error {
		if !Redrivable(r.topo, l.OriginalExchange, l.OriginalRoutingKey) {
			return ErrNotRedrivable
		}
		out, err := Republish(l, l.RedriveCount+1, now)
		if err != nil {
			return err
		}
		return r.pub.Publish(ctx, out)
	})
}
