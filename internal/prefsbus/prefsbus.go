// Package prefsbus publishes preference changes on the prefs fanout exchange, which every worker
// listens to: the function the web app's outbox relay (pgstore.Relay) publishes with.
package prefsbus

import (
	"context"
	"errors"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/rabbit"
	"fmn/internal/wire"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// Publisher returns the function the outbox relay publishes preference changes with: one
// confirmed batch on the prefs fanout. A change nobody listens for (no worker is running) is not
// an error: a worker that starts loads everything.
func Publisher(pub *rabbit.Publisher, exchange string, now func() time.Time) pgstore.PublishFunc {
	return func(ctx context.Context, changes []prefs.Change) error {
		out := make([]rabbit.Outgoing, 0, len(changes))
		for _, c := range changes {
			body, err := wire.Encode(&wire.PrefsChange{Change: c})
			if err != nil {
				return err
			}
			out = append(out, rabbit.Outgoing{Exchange: exchange, Msg: amqp.Publishing{
				ContentType: wire.ContentType, Type: wire.TypePrefsChange, Timestamp: now(), Body: body,
			}})
		}
		err := pub.Publish(ctx, out...)
		if errors.Is(err, rabbit.ErrUnroutable) {
			return nil
		}
		return err
	}
}
