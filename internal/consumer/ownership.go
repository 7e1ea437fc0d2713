package consumer

import (
	"context"
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/ownership"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// ownershipWriter applies the artifact-ownership and group-membership changes that bus messages
// carry (internal/ownership says which topics do) to the preferences. The forwarder calls it
// inside a bus batch's effect, before the batch's work items are published and before its ack,
// so that the workers already see a change when its message reaches them.
type ownershipWriter struct {
	rules  *ownership.Rules
	store  *pgstore.Store
	logger *slog.Logger
	// applied counts the changes applied.
	applied prometheus.Counter
}

// ownershipChanges are the changes one bus batch carries.
type ownershipChanges struct {
	owners  []prefs.OwnershipChange
	members []prefs.MembershipChange
}

// collect returns the changes msgs carry.
func (w *ownershipWriter) collect(msgs []message.Message) ownershipChanges {
	var c ownershipChanges
	for i := range msgs {
		o, mb := w.rules.Changes(&msgs[i])
		c.owners, c.members = append(c.owners, o...), append(c.members, mb...)
	}
	return c
}

// apply writes c. A change the store refuses as invalid (internal/ownership validates what it
// extracts, so it is logged as something that slipped through) drops the batch's changes and
// empties c, so that a retry of the batch does not try them again; any other error is returned
// for the batch to be retried.
func (w *ownershipWriter) apply(ctx context.Context, c *ownershipChanges) error {
	if err := w.store.ApplyOwnership(ctx, c.owners, c.members); err != nil {
		var inv *prefs.InvalidError
		if !errors.As(err, &inv) {
			return err
		}
		w.logger.WarnContext(ctx, "ownership change refused", "error", err)
		c.owners, c.members = nil, nil
	}
	w.applied.Add(float64(len(c.owners) + len(c.members)))
	return nil
}
