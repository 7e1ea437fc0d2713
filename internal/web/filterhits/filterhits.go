// Package filterhits gives the hits of a user's filters over the last days, for the filter list
// of the API and of the filters page: statistics, so a Redis failure shows none rather than fail.
package filterhits

import (
	"context"
	"log/slog"
	"time"

	"fmn/internal/hits"
	"fmn/pkg/rules"
)

// Days is how many days of hits the filter lists show.
const Days = 7

// Counter reads filter hits.
type Counter struct {
	store  *hits.Store
	now    func() time.Time
	logger *slog.Logger
}

// New returns a Counter reading store.
func New(store *hits.Store, now func() time.Time, logger *slog.Logger) *Counter {
	return &Counter{store: store, now: now, logger: logger}
}

// Of returns the hits of fs over the last Days days, by filter id; on a Redis failure it logs
// and returns what it has (none).
func (c *Counter) Of(ctx context.Context, fs []rules.Filter) map[int64]int64 {
	ids := make([]int64, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	out, err := c.store.Counts(ctx, ids, c.now(), Days)
	if err != nil {
		c.logger.WarnContext(ctx, "filter hits unavailable", "error", err)
	}
	return out
}
