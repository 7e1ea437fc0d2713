// Package digest collects the notifications of destinations that asked for digests and sends each
// destination one email when max_count of them are waiting or the oldest has waited max_delay.
// Items live in Postgres; a digest's items are locked (FOR UPDATE SKIP LOCKED) while it is sent
// and deleted in the same transaction, so several backend replicas can run the scheduler and no
// digest is sent twice, while a failed send leaves the items for the next round.
package digest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"fmn/internal/notify"
	"fmn/internal/wire"
)

// DefaultInterval is how often the scheduler looks for digests that are due.
const DefaultInterval = 5 * time.Second

// maxItems bounds one digest; a destination with more waiting gets several digests.
const maxItems = 200

// Store keeps waiting notifications.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Add stores notifications for their destinations' digests; one already stored is ignored.
func (s *Store) Add(ctx context.Context, ns ...wire.Notification) error {
	b := &pgx.Batch{}
	for _, n := range ns {
		body, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("encode notification %s: %w", n.ID, err)
		}
		b.Queue(`INSERT INTO digest_items (notification_id, destination_id, max_count, max_delay, notification)
			VALUES ($1, $2, $3, $4::float8 * interval '1 second', $5) ON CONFLICT (notification_id) DO NOTHING`,
			n.ID, n.Destination.ID, n.Destination.DigestMaxCount, n.Destination.DigestMaxDelay.Seconds(), body)
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("store digest items: %w", err)
	}
	return nil
}

// Due returns the destinations whose digest is due at now: max_count items waiting, or the oldest
// waiting max_delay.
func (s *Store) Due(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT destination_id FROM digest_items GROUP BY destination_id
		HAVING (max(max_count) > 0 AND count(*) >= max(max_count))
		    OR (max(max_delay) > '0' AND min(created_at) <= $1::timestamptz - max(max_delay))`, now)
	if err != nil {
		return nil, fmt.Errorf("due digests: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("due digests: %w", err)
	}
	return ids, nil
}

// Take locks the waiting items of one destination (skipping any another replica holds), calls
// send with them, and deletes them only if send succeeds, all in one transaction.
func (s *Store) Take(ctx context.Context, destination int64, send func(context.Context, []wire.Notification) error) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, notification FROM digest_items WHERE destination_id = $1
			ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, destination, maxItems)
		if err != nil {
			return fmt.Errorf("lock digest items: %w", err)
		}
		var ids []int64
		var ns []wire.Notification
		var id int64
		var body []byte
		if _, err := pgx.ForEachRow(rows, []any{&id, &body}, func() error {
			var note wire.Notification
			if err := json.Unmarshal(body, &note); err != nil {
				return fmt.Errorf("digest item %d: %w", id, err)
			}
			ids = append(ids, id)
			ns = append(ns, note)
			return nil
		}); err != nil {
			return err
		}
		if len(ns) == 0 {
			return nil
		}
		if err := send(ctx, ns); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM digest_items WHERE id = ANY($1)`, ids); err != nil {
			return fmt.Errorf("delete sent digest items: %w", err)
		}
		n = len(ns)
		return nil
	})
	return n, err
}

// SendFunc sends one digest.
type SendFunc func(ctx context.Context, ns []wire.Notification) error

// Scheduler sends the digests that are due.
type Scheduler struct {
	store    *Store
	send     SendFunc
	interval time.Duration
	logger   *slog.Logger
	now      func() time.Time
	sent     *prometheus.CounterVec
}

// NewScheduler returns a scheduler; interval <= 0 means DefaultInterval.
func NewScheduler(store *Store, send SendFunc, interval time.Duration, logger *slog.Logger, reg prometheus.Registerer, now func() time.Time) *Scheduler {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Scheduler{store: store, send: send, interval: interval, logger: logger.With("component", "digest"), now: now,
		sent: promauto.With(reg).NewCounterVec(prometheus.CounterOpts{Name: "fmn_digest_emails_total",
			Help: "Digest emails, by outcome (sent, failed: left for the next round)."}, []string{"outcome"})}
}

// Run sends due digests every interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		s.Once(ctx)
	}
}

// Once sends every digest that is due now. A failed send leaves its items for the next round; a
// permanent failure is logged at error level every round until the destination changes, never
// dropped silently.
func (s *Scheduler) Once(ctx context.Context) {
	due, err := s.store.Due(ctx, s.now())
	if err != nil {
		if ctx.Err() == nil {
			s.logger.WarnContext(ctx, "look for due digests", "error", err)
		}
		return
	}
	for _, dest := range due {
		n, err := s.store.Take(ctx, dest, s.send)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			s.sent.WithLabelValues("failed").Inc()
			level := slog.LevelWarn
			if notify.IsPermanent(err) {
				level = slog.LevelError
			}
			s.logger.Log(ctx, level, "digest not sent; kept for the next round", "destination_id", dest, "error", err)
		case n > 0:
			s.sent.WithLabelValues("sent").Inc()
		}
	}
}
