// Package redrive re-drives archived dead letters for the API and the admin page alike: within a
// bounded wait for the broker, with the refusals a person can act on as 409s, counted and logged.
package redrive

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"fmn/internal/deadletter"
	"fmn/internal/rabbit"
	"fmn/internal/web/httperr"
)

// timeout bounds a re-drive: it holds the letter's row lock while it waits for the broker's
// confirm, and the broker may be unreachable.
const timeout = 30 * time.Second

// Redriver re-drives dead letters and counts those the broker confirmed.
type Redriver struct {
	redriver *deadletter.Redriver
	redriven prometheus.Counter
	logger   *slog.Logger
	now      func() time.Time
}

// New returns a Redriver on r, registering fmn_deadletters_redriven_total with reg.
func New(r *deadletter.Redriver, reg prometheus.Registerer, logger *slog.Logger, now func() time.Time) *Redriver {
	return &Redriver{redriver: r, logger: logger, now: now,
		redriven: promauto.With(reg).NewCounter(prometheus.CounterOpts{
			Name: "fmn_deadletters_redriven_total", Help: "Dead letters re-driven to their original exchange (confirmed by the broker).",
		})}
}

// Redrive republishes dead letter id to its original exchange and routing key; by names who asked
// (for the log). A letter that cannot be re-driven is a 409 *httperr.Error.
func (d *Redriver) Redrive(ctx context.Context, id int64, by string) (deadletter.Letter, error) {
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	l, err := d.redriver.Redrive(tctx, id, d.now())
	switch {
	case errors.Is(err, deadletter.ErrTruncated):
		return l, httperr.New(http.StatusConflict, "cannot re-drive: "+deadletter.ErrTruncated.Error())
	case errors.Is(err, deadletter.ErrNotRedrivable):
		return l, httperr.New(http.StatusConflict, "cannot re-drive: "+deadletter.ErrNotRedrivable.Error())
	case errors.Is(err, rabbit.ErrUnroutable):
		return l, httperr.New(http.StatusConflict, "cannot re-drive: no queue is bound for the original exchange and routing key")
	case err != nil:
		return l, err
	}
	d.redriven.Inc()
	d.logger.InfoContext(ctx, "dead letter re-driven", "id", l.ID, "stage", l.Stage, "message_id", l.MessageID,
		"exchange", l.OriginalExchange, "routing_key", l.OriginalRoutingKey, "redrive_count", l.RedriveCount,
		"by", by)
	return l, nil
}
