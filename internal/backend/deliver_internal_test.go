package backend

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/ledger"
	"fmn/internal/notify"
	"fmn/internal/notify/irc"
	"fmn/internal/wire"
)

func TestErrorClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		err         error
		class       string
		unreachable bool
	}{
		// An SMTP reply: its code, never the address it may quote.
		{"smtp", fmt.Errorf("smtp 451 4.7.1 <a@example.org> greylisted"), "smtp 451", false},
		// IRC nick not online: its own class; the server is reachable, the rest of the batch is sent.
		{"irc 401", fmt.Errorf("send: %w", irc.NoSuchNickError{}), "irc 401", false},
		// IRC bot disconnected: the rest of the batch fails at once.
		{"irc down", irc.ErrDisconnected, "connection", true},
		// A timeout.
		{"timeout", context.DeadlineExceeded, "timeout", true},
		// A permanent refusal.
		{"permanent", notify.Permanent(fmt.Errorf("irc: address is not a nick")), "rejected", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.class, errorClass(tc.err))
			require.Equal(t, tc.unreachable, unreachable(tc.err))
		})
	}
}

// flakyLedger is a delivery ledger whose writes fail until up is called; Record calls onRecord
// first (with the 1-based call count).
type flakyLedger struct {
	mu       sync.Mutex
	ok       bool
	calls    int
	rows     map[string]ledger.Status
	onRecord func(call int)
}

func (l *flakyLedger) up() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ok = true
}

func (l *flakyLedger) Sent(_ context.Context, ids []string) (map[string]bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = l.rows[id] == ledger.StatusSent
	}
	return out, nil
}

func (l *flakyLedger) Record(_ context.Context, entries ...ledger.Entry) error {
	l.mu.Lock()
	l.calls++
	call, on := l.calls, l.onRecord
	l.mu.Unlock()
	if on != nil {
		on(call)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ok {
		return errors.New("database down")
	}
	for _, e := range entries {
		l.rows[e.NotificationID] = e.Status
	}
	return nil
}

// countingNotifier counts sends per notification; fail, when set, decides each send's error.
type countingNotifier struct {
	mu    sync.Mutex
	sends map[string]int
	fail  func(n wire.Notification) error
}

func (c *countingNotifier) Send(_ context.Context, n wire.Notification) error {
	if c.fail != nil {
		if err := c.fail(n); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends[n.ID]++
	return nil
}

func (c *countingNotifier) Check(context.Context) error { return nil }

// acks records what was acked of a batch.
type acks struct {
	mu  sync.Mutex
	n   int
	rej int
}

func (a *acks) Ack(uint64, bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	return nil
}
func (a *acks) Nack(uint64, bool, bool) error { a.rej++; return nil }
func (a *acks) Reject(uint64, bool) error     { a.rej++; return nil }

// testDeliverer is an IRC deliverer over l and c, with nothing to publish.
func testDeliverer(l Ledger, c notify.Notifier) *deliverer {
	return &deliverer{channel: ChannelIRC, delays: []time.Duration{time.Minute}, notifier: c, ledger: l,
		logger: slog.New(slog.DiscardHandler), now: time.Now, m: newMetrics(prometheus.NewRegistry())}
}

// batchOf is one AMQP delivery holding a notification batch of ids.
func batchOf(t *testing.T, a amqp.Acknowledger, ids ...string) []amqp.Delivery {
	t.Helper()
	return []amqp.Delivery{deliveryOf(t, a, ids...)}
}

// deliveryOf is an AMQP delivery holding a notification batch of ids.
func deliveryOf(t *testing.T, a amqp.Acknowledger, ids ...string) amqp.Delivery {
	t.Helper()
	ns := make([]wire.Notification, len(ids))
	for i, id := range ids {
		ns[i] = wire.Notification{ID: id, MessageID: "m-" + id, User: "alice", Destination: wire.Destination{ID: 1, Kind: "irc", Address: "alice"}}
	}
	body, err := wire.Encode(&wire.NotificationBatch{Channel: ChannelIRC, Notifications: ns})
	require.NoError(t, err)
	return amqp.Delivery{Acknowledger: a, DeliveryTag: 1, Body: body}
}

// TestSentRowsOutliveTheHandlersContext: the fault suite's finding. Lines went out while the
// database was going down; their ledger rows could not be written; the outage also ended the
// replica's IRC leadership (its lock lives in the database), which ended the handler's context, so
// the batch was redelivered without rows and every one of those lines was sent twice. Now the rows
// are still written once the database is back, the batch is not acked after its context ended,
// and its redelivery sends nothing.
func TestSentRowsOutliveTheHandlersContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	l := &flakyLedger{rows: map[string]ledger.Status{}}
	l.onRecord = func(call int) {
		switch call {
		case 1:
			cancel() // leadership lost while the first row waits
		case 5:
			l.up() // the database is back
		}
	}
	c := &countingNotifier{sends: map[string]int{}}
	d := testDeliverer(l, c)
	a := &acks{}
	d.handle(ctx, batchOf(t, a, "n1", "n2"))
	require.Equal(t, map[string]int{"n1": 1, "n2": 1}, c.sends)
	require.Equal(t, map[string]ledger.Status{"n1": ledger.StatusSent, "n2": ledger.StatusSent}, l.rows, "both rows written after the context ended")
	require.Zero(t, a.n, "a batch whose context ended is not acked: the broker redelivers it")

	d.handle(t.Context(), batchOf(t, a, "n1", "n2"))
	require.Equal(t, map[string]int{"n1": 1, "n2": 1}, c.sends, "the redelivery sends nothing again")
	require.Equal(t, 1, a.n)
}

// TestSentRowsAreKeptWhenTheContextEndsMidBatch: the context ends in the middle of a batch (the
// second send fails because of it); the first notification's row, which the database refused at
// first, is still written before the batch goes back to the queue.
func TestSentRowsAreKeptWhenTheContextEndsMidBatch(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	l := &flakyLedger{rows: map[string]ledger.Status{}}
	l.onRecord = func(call int) {
		if call == 2 {
			l.up()
		}
	}
	c := &countingNotifier{sends: map[string]int{}, fail: func(n wire.Notification) error {
		if n.ID == "n2" {
			cancel()
			return context.Canceled
		}
		return nil
	}}
	a := &acks{}
	testDeliverer(l, c).handle(ctx, batchOf(t, a, "n1", "n2"))
	require.Equal(t, map[string]int{"n1": 1}, c.sends)
	require.Equal(t, map[string]ledger.Status{"n1": ledger.StatusSent}, l.rows)
	require.Zero(t, a.n)
}

// TestANotificationTwiceInABatchIsSentOnce: the fault suite's other finding. A bus message
// published twice (a publisher retrying across a broker restart) passed the consumer twice while
// Redis, which holds its duplicate hint, was down; a worker packed both copies' notifications
// together, and the backend sent them twice, the ledger lookup having been made for the batch
// before the first copy went out. The same holds across the deliveries of one batch whose rows
// wait for the database.
func TestANotificationTwiceInABatchIsSentOnce(t *testing.T) {
	t.Parallel()
	l := &flakyLedger{rows: map[string]ledger.Status{}}
	l.onRecord = func(call int) {
		if call == 4 {
			l.up() // the rows wait for the database until the batch settles
		}
	}
	c := &countingNotifier{sends: map[string]int{}}
	a := &acks{}
	testDeliverer(l, c).handle(t.Context(), []amqp.Delivery{deliveryOf(t, a, "n1", "n2", "n1"), deliveryOf(t, a, "n2", "n3")})
	require.Equal(t, map[string]int{"n1": 1, "n2": 1, "n3": 1}, c.sends)
	require.Len(t, l.rows, 3)
	require.Equal(t, 1, a.n)
}
