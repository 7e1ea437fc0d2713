package rabbit_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"fmn/internal/rabbit"
	"fmn/internal/testkit/rabbittest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait for the broker in these tests.
const waitTimeout = 30 * time.Second

type testBundle struct {
	url  string
	top  rabbit.Topology
	conn *rabbit.Conn
	reg  *prometheus.Registry
}

// setup gives a test its own topology and a ready Conn declaring it. Call
// t.Parallel before setup: a paused parallel test must not hold the broker
// lock that a restart test waits for.
func setup(t *testing.T) *testBundle {
	t.Helper()
	url := rabbittest.URL(t)
	return setupWithURL(t, url, nil)
}

// setupWithURL is setup for a url obtained elsewhere (Restartable). config,
// if not nil, returns the Conn's config for the test's topology; its URL and
// ConnectionName are filled in, and Setup defaults to declaring the topology.
func setupWithURL(t *testing.T, url string, config func(top rabbit.Topology) rabbit.Config) *testBundle {
	t.Helper()
	top := rabbittest.Topology(t, url)
	reg := prometheus.NewPedanticRegistry()
	var cfg rabbit.Config
	if config != nil {
		cfg = config(top)
	}
	cfg.URL = url
	if cfg.Setup == nil {
		cfg.Setup = top.Declare
	}
	cfg.ConnectionName = t.Name()
	conn, err := rabbit.Dial(cfg, rabbit.Deps{Logger: testLogger(t), Registerer: reg})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, conn.Close()) })
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	require.NoError(t, conn.WaitReady(ctx))
	require.True(t, conn.Ready())
	return &testBundle{url: url, top: top, conn: conn, reg: reg}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// publisher returns a Publisher closed in cleanup.
func (b *testBundle) publisher(t *testing.T) *rabbit.Publisher {
	t.Helper()
	p := b.conn.NewPublisher()
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

// publishBodies publishes one message per body to queue (through the
// default exchange).
func (b *testBundle) publishBodies(t *testing.T, p *rabbit.Publisher, queue string, bodies ...string) {
	t.Helper()
	msgs := make([]rabbit.Outgoing, len(bodies))
	for i, body := range bodies {
		msgs[i] = rabbit.Outgoing{Key: queue, Msg: amqp.Publishing{Body: []byte(body)}}
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	require.NoError(t, p.Publish(ctx, msgs...))
}

// consumer runs ConsumeBatches in a goroutine until the returned stop is
// called (also in cleanup); stop returns ConsumeBatches' error.
func (b *testBundle) consumer(t *testing.T, opts rabbit.ConsumeOptions, handler func(context.Context, []amqp.Delivery)) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.conn.ConsumeBatches(ctx, opts, handler) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-errc })
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// depth waits until queue holds want ready messages.
func (b *testBundle) requireDepth(t *testing.T, queue string, want int) {
	t.Helper()
	eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
		defer cancel()
		n, err := b.conn.QueueDepth(ctx, queue)
		require.NoError(t, err)
		return n == want
	}, "queue %s never held %d ready messages", queue, want)
}

// eventually polls cond until it holds, failing the test after waitTimeout.
func eventually(t *testing.T, cond func() bool, msgAndArgs ...any) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, "condition not met in time", msgAndArgs...)
		}
		time.Sleep(20 * time.Millisecond) // poll interval
	}
}

// receive returns the next value from c, failing after waitTimeout.
func receive[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(waitTimeout):
		require.FailNow(t, "nothing received in time")
		panic("unreachable")
	}
}

// ack acks d; it may be called from a handler's goroutine.
func ack(t *testing.T, d amqp.Delivery) {
	if err := d.Ack(false); err != nil {
		t.Errorf("ack: %v", err)
	}
}

// metricValue returns the value of a counter or gauge in reg, 0 if absent.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

func TestPrefixed(t *testing.T) {
	t.Parallel()
	orig := rabbit.DefaultTopology()
	p := orig.Prefixed("x-1.")

	require.Equal(t, rabbit.Topology{
		BusExchange:           "x-1.amq.topic",
		BusQueue:              "x-1.fmn.bus",
		BusBindings:           []string{"#"},
		ArchiveQueue:          "x-1.fmn.archive",
		WorkQueue:             "x-1.fmn.work",
		NotificationsExchange: "x-1.fmn.notifications",
		DeliverQueues: map[string]string{
			"email": "x-1.fmn.deliver.email",
			"irc":   "x-1.fmn.deliver.irc",
			"sse":   "x-1.fmn.deliver.sse",
		},
		DeadLetterExchange: "x-1.fmn.dead",
		DeadLetterQueue:    "x-1.fmn.dead",
		PrefsExchange:      "x-1.fmn.prefs",
		RetryQueuePrefix:   "x-1.fmn.retry.",
	}, p)
	require.Equal(t, "x-1.fmn.retry.email.10s", p.RetryQueue("email", 10*time.Second))
	require.Equal(t, "x-1.fmn.retry.email.5m", p.RetryQueue("email", 5*time.Minute))
	require.Equal(t, "x-1.fmn.retry.email.1500ms", p.RetryQueue("email", 1500*time.Millisecond))
	r := p.WithRetryDelays("email", []time.Duration{time.Second})
	require.Nil(t, p.RetryDelays, "WithRetryDelays copies")
	require.Contains(t, r.Queues(), "x-1.fmn.retry.email.1s")
	// The copy shares nothing with the original.
	p.DeliverQueues["email"] = "changed"
	p.BusBindings[0] = "changed"
	require.Equal(t, rabbit.DefaultTopology(), orig)
}

func TestDialInvalidConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  rabbit.Config
	}{
		// Not an amqp:// URL.
		{"bad scheme", rabbit.Config{URL: "http://localhost/"}},
		// Backoff bounds the wrong way round.
		{"backoff", rabbit.Config{URL: rabbittest.DefaultURL, MinBackoff: time.Second, MaxBackoff: time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := rabbit.Dial(tc.cfg, rabbit.Deps{})
			require.Error(t, err)
			require.Nil(t, c)
		})
	}
}

func TestDeclareIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()

	ch, err := b.conn.Channel(ctx)
	require.NoError(t, err)
	defer func() { _ = ch.Close() }()
	// Declared by rabbittest.Topology and by the Conn's Setup already.
	require.NoError(t, b.top.Declare(ch))

	require.Len(t, b.top.Queues(), 7)
	for _, q := range b.top.Queues() {
		require.True(t, strings.HasPrefix(q, t.Name()+"-"), q)
		n, err := b.conn.QueueDepth(ctx, q)
		require.NoError(t, err, q)
		require.Zero(t, n, q)
	}
}

func TestDeleteIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	top := rabbit.DefaultTopology().Prefixed(rabbittest.Prefix(t))

	ch, err := b.conn.Channel(ctx)
	require.NoError(t, err)
	defer func() { _ = ch.Close() }()
	require.NoError(t, top.Declare(ch))
	_, err = b.conn.QueueDepth(ctx, top.WorkQueue)
	require.NoError(t, err)

	require.NoError(t, top.Delete(ch))
	require.NoError(t, top.Delete(ch), "deleting what is gone")
	_, err = b.conn.QueueDepth(ctx, top.WorkQueue)
	var ae *amqp.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, amqp.NotFound, ae.Code)
}

func TestDeliveryLimitDeadLetters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.publisher(t)
	b.publishBodies(t, p, b.top.WorkQueue, "poison")

	ch, err := b.conn.Channel(t.Context())
	require.NoError(t, err)
	defer func() { _ = ch.Close() }()
	nacks := 0
	eventually(t, func() bool {
		d, ok, err := ch.Get(b.top.WorkQueue, false)
		require.NoError(t, err)
		if ok {
			require.Equal(t, "poison", string(d.Body))
			require.NoError(t, d.Nack(false, true))
			nacks++
		}
		dead, ok, err := ch.Get(b.top.DeadLetterQueue, true)
		require.NoError(t, err)
		if !ok {
			return false
		}
		require.Equal(t, "poison", string(dead.Body))
		require.Equal(t, "delivery_limit", dead.Headers["x-first-death-reason"])
		return true
	}, "message never dead-lettered")
	require.Greater(t, nacks, rabbit.DeliveryLimit-1)
	require.LessOrEqual(t, nacks, rabbit.DeliveryLimit+1)
	b.requireDepth(t, b.top.WorkQueue, 0)
}

func TestPublishConsume(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.publisher(t)

	got := make(chan amqp.Delivery, 10)
	b.consumer(t, rabbit.ConsumeOptions{Queue: b.top.WorkQueue}, func(_ context.Context, batch []amqp.Delivery) {
		for _, d := range batch {
			ack(t, d)
			got <- d
		}
	})
	b.publishBodies(t, p, b.top.WorkQueue, "hello")

	d := receive(t, got)
	require.Equal(t, "hello", string(d.Body))
	require.Equal(t, amqp.Persistent, d.DeliveryMode)
	require.Equal(t, 1.0, metricValue(t, b.reg, "fmn_rabbit_published_messages_total", map[string]string{"outcome": "confirmed"}))
	require.Equal(t, 1.0, metricValue(t, b.reg, "fmn_rabbit_connection_up", nil))
	b.requireDepth(t, b.top.WorkQueue, 0)
}

func TestConsumeBatches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts rabbit.ConsumeOptions
		// check looks at the batch sizes, in order.
		check func(t *testing.T, sizes []int)
	}{
		{
			// Ten messages are waiting and the prefetch lets all through, so
			// a long linger never expires: two full batches.
			name: "linger fills batches",
			opts: rabbit.ConsumeOptions{MaxBatch: 5, Prefetch: 10, Linger: time.Hour},
			check: func(t *testing.T, sizes []int) {
				require.Equal(t, []int{5, 5}, sizes)
			},
		},
		{
			// Without linger a batch is whatever is buffered, up to MaxBatch.
			name: "no linger",
			opts: rabbit.ConsumeOptions{MaxBatch: 4, Prefetch: 4},
			check: func(t *testing.T, sizes []int) {
				for _, n := range sizes {
					require.LessOrEqual(t, n, 4)
				}
			},
		},
		{
			// Defaults: batches of one.
			name: "defaults",
			opts: rabbit.ConsumeOptions{},
			check: func(t *testing.T, sizes []int) {
				require.Equal(t, slices.Repeat([]int{1}, 10), sizes)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			p := b.publisher(t)
			bodies := make([]string, 10)
			for i := range bodies {
				bodies[i] = fmt.Sprint(i)
			}
			b.publishBodies(t, p, b.top.WorkQueue, bodies...)
			b.requireDepth(t, b.top.WorkQueue, 10)

			var (
				mu      sync.Mutex
				sizes   []int
				order   []string
				running atomic.Bool
			)
			opts := tc.opts
			opts.Queue = b.top.WorkQueue
			b.consumer(t, opts, func(_ context.Context, batch []amqp.Delivery) {
				if !running.CompareAndSwap(false, true) {
					t.Error("handler called concurrently")
				}
				defer running.Store(false)
				mu.Lock()
				defer mu.Unlock()
				sizes = append(sizes, len(batch))
				for _, d := range batch {
					order = append(order, string(d.Body))
					ack(t, d)
				}
			})
			eventually(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(order) == 10
			})
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, bodies, order)
			tc.check(t, sizes)
		})
	}
}

func TestConsumeInvalidOptions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, opts := range []rabbit.ConsumeOptions{
		{},                                      // no queue
		{Queue: "q", MaxBatch: 10, Prefetch: 5}, // prefetch below batch
		{Queue: "q", Linger: -time.Millisecond}, // negative linger
	} {
		err := b.conn.ConsumeBatches(t.Context(), opts, func(context.Context, []amqp.Delivery) {})
		require.Error(t, err, "%+v", opts)
	}
}

func TestUnackedRedelivered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.publisher(t)
	b.publishBodies(t, p, b.top.WorkQueue, "keep")

	first := make(chan amqp.Delivery, 1)
	stop := b.consumer(t, rabbit.ConsumeOptions{Queue: b.top.WorkQueue}, func(_ context.Context, batch []amqp.Delivery) {
		first <- batch[0] // and no ack
	})
	d := receive(t, first)
	require.False(t, d.Redelivered)
	require.NoError(t, stop(), "ConsumeBatches returns nil when its ctx ends")

	second := make(chan amqp.Delivery, 1)
	b.consumer(t, rabbit.ConsumeOptions{Queue: b.top.WorkQueue}, func(_ context.Context, batch []amqp.Delivery) {
		ack(t, batch[0])
		second <- batch[0]
	})
	d = receive(t, second)
	require.Equal(t, "keep", string(d.Body))
	require.True(t, d.Redelivered)
	b.requireDepth(t, b.top.WorkQueue, 0)
}

func TestHandlerPanicReturnsDeliveries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.publisher(t)
	b.publishBodies(t, p, b.top.WorkQueue, "crash")

	// A handler that always panics: the message goes round until the
	// delivery limit sends it to the dead-letter queue.
	var (
		mu    sync.Mutex
		calls int
	)
	b.consumer(t, rabbit.ConsumeOptions{Queue: b.top.WorkQueue}, func(context.Context, []amqp.Delivery) {
		mu.Lock()
		calls++
		mu.Unlock()
		panic("boom")
	})
	b.requireDepth(t, b.top.DeadLetterQueue, 1)
	mu.Lock()
	defer mu.Unlock()
	require.Greater(t, calls, 1)
}

func TestConsumeMissingQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	err := b.conn.ConsumeBatches(t.Context(), rabbit.ConsumeOptions{Queue: b.top.WorkQueue + ".missing"},
		func(context.Context, []amqp.Delivery) { t.Error("handler called") })
	var perm *rabbit.PermanentError
	require.ErrorAs(t, err, &perm)
	var ae *amqp.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, amqp.NotFound, ae.Code)
	require.Contains(t, err.Error(), "does not exist")
}

func TestPublishUnroutable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.publisher(t)
	ctx := t.Context()
	unroutable := rabbit.Outgoing{Exchange: b.top.NotificationsExchange, Key: "nobody", Msg: amqp.Publishing{Body: []byte("x")}}
	routable := rabbit.Outgoing{Exchange: b.top.NotificationsExchange, Key: "email", Msg: amqp.Publishing{Body: []byte("y")}}

	err := p.Publish(ctx, unroutable)
	require.ErrorIs(t, err, rabbit.ErrUnroutable)

	// One bad message spoils the batch, but the good one is enqueued.
	err = p.Publish(ctx, routable, unroutable)
	require.ErrorIs(t, err, rabbit.ErrUnroutable)
	require.NoError(t, p.Publish(ctx, routable))
	b.requireDepth(t, b.top.DeliverQueues["email"], 2)

	for outcome, want := range map[string]float64{"confirmed": 2, "returned": 2, "nacked": 0, "error": 0} {
		require.Equal(t, want, metricValue(t, b.reg, "fmn_rabbit_published_messages_total", map[string]string{"outcome": outcome}), outcome)
	}
}

func TestPublishRecoversFromChannelError(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.publisher(t)
	ctx := t.Context()

	// Publishing to a missing exchange makes the broker close the channel.
	err := p.Publish(ctx, rabbit.Outgoing{Exchange: b.top.WorkQueue + ".missing", Key: "k"})
	require.Error(t, err)
	require.NotErrorIs(t, err, rabbit.ErrUnroutable)
	var ae *amqp.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, amqp.NotFound, ae.Code)
	require.Equal(t, 1.0, metricValue(t, b.reg, "fmn_rabbit_published_messages_total", map[string]string{"outcome": "error"}))

	// The same Publisher works again on a new channel.
	b.publishBodies(t, p, b.top.WorkQueue, "after")
	b.requireDepth(t, b.top.WorkQueue, 1)
}

func TestPublishAfterClose(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.conn.NewPublisher()
	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Publish(t.Context(), rabbit.Outgoing{Key: b.top.WorkQueue}), rabbit.ErrClosed)

	require.NoError(t, b.conn.Close())
	require.NoError(t, b.conn.Close())
	require.False(t, b.conn.Ready())
	_, err := b.conn.Channel(t.Context())
	require.ErrorIs(t, err, rabbit.ErrClosed)
	require.ErrorIs(t, b.conn.NewPublisher().Publish(t.Context(), rabbit.Outgoing{Key: b.top.WorkQueue}), rabbit.ErrClosed)
}

func TestPublishWaitsForConnection(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1: the Conn never connects.
	conn, err := rabbit.Dial(rabbit.Config{URL: "amqp://guest:guest@127.0.0.1:1/"}, rabbit.Deps{Logger: testLogger(t)})
	require.NoError(t, err)
	defer func() { require.NoError(t, conn.Close()) }()
	require.False(t, conn.Ready())

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	p := conn.NewPublisher()
	defer func() { require.NoError(t, p.Close()) }()
	err = p.Publish(ctx, rabbit.Outgoing{Key: "q"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, conn.WaitReady(ctx), context.DeadlineExceeded)
}

func TestSetupErrorRetried(t *testing.T) {
	t.Parallel()
	url := rabbittest.URL(t)
	top := rabbittest.Topology(t, url)
	var (
		mu    sync.Mutex
		calls int
	)
	conn, err := rabbit.Dial(rabbit.Config{
		URL:        url,
		MinBackoff: time.Millisecond,
		MaxBackoff: 10 * time.Millisecond,
		Setup: func(ch *amqp.Channel) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls < 3 {
				return errors.New("not yet")
			}
			return top.Declare(ch)
		},
	}, rabbit.Deps{Logger: testLogger(t)})
	require.NoError(t, err)
	defer func() { require.NoError(t, conn.Close()) }()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	require.NoError(t, conn.WaitReady(ctx))
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 3, calls)
}

func TestExclusiveConsumerStandby(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.publisher(t)
	handler := func(got chan<- string) func(context.Context, []amqp.Delivery) {
		return func(_ context.Context, batch []amqp.Delivery) {
			for _, d := range batch {
				ack(t, d)
				got <- string(d.Body)
			}
		}
	}
	// A classic queue: quorum queues in RabbitMQ 3.10 ignore the exclusive
	// flag and serve a second "exclusive" consumer side by side.
	queue := b.top.WorkQueue + ".classic"
	ch, err := b.conn.Channel(t.Context())
	require.NoError(t, err)
	_, err = ch.QueueDeclare(queue, true, false, false, false, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := ch.QueueDelete(queue, false, false, false)
		require.NoError(t, err)
		require.NoError(t, ch.Close())
	})
	opts := rabbit.ConsumeOptions{Queue: queue, Exclusive: true}

	gotA := make(chan string, 10)
	stopA := b.consumer(t, opts, handler(gotA))
	b.publishBodies(t, p, queue, "1")
	require.Equal(t, "1", receive(t, gotA)) // A is subscribed

	// B, on its own connection, is refused while A holds the queue, and
	// keeps trying instead of giving up.
	retried := make(chan struct{}, 1)
	logger := slog.New(signalHandler{Handler: testLogger(t).Handler(), msg: "consumer interrupted, subscribing again", c: retried})
	connB, err := rabbit.Dial(rabbit.Config{URL: b.url}, rabbit.Deps{Logger: logger})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, connB.Close()) })
	gotB := make(chan string, 10)
	bundleB := &testBundle{url: b.url, top: b.top, conn: connB}
	stopB := bundleB.consumer(t, opts, handler(gotB))
	receive(t, retried)

	require.NoError(t, stopA())
	b.publishBodies(t, p, queue, "2")
	require.Equal(t, "2", receive(t, gotB))
	require.NoError(t, stopB())
}

// signalHandler is a slog.Handler that also signals c (without blocking)
// when a record with message msg is logged.
type signalHandler struct {
	slog.Handler
	msg string
	c   chan<- struct{}
}

func (h signalHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.c <- struct{}{}:
		default:
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h signalHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h.Handler = h.Handler.WithAttrs(attrs)
	return h
}

func (h signalHandler) WithGroup(name string) slog.Handler {
	h.Handler = h.Handler.WithGroup(name)
	return h
}

func TestRetryQueueDeadLettersBackToItsChannel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	top := b.top.WithRetryDelays("email", []time.Duration{50 * time.Millisecond})

	ch, err := b.conn.Channel(ctx)
	require.NoError(t, err)
	defer func() { _ = ch.Close() }()
	require.NoError(t, top.Declare(ch))
	t.Cleanup(func() {
		c, err := amqp.Dial(b.url)
		require.NoError(t, err)
		defer func() { _ = c.Close() }()
		cch, err := c.Channel()
		require.NoError(t, err)
		_, err = cch.QueueDelete(top.RetryQueue("email", 50*time.Millisecond), false, false, false)
		require.NoError(t, err)
	})
	require.NoError(t, top.Declare(ch), "declaring the delay queues again is a no-op")

	deliveries, err := ch.ConsumeWithContext(ctx, top.DeliverQueues["email"], "", false, false, false, false, nil)
	require.NoError(t, err)
	p := b.publisher(t)
	require.NoError(t, p.Publish(ctx, rabbit.Outgoing{Key: top.RetryQueue("email", 50*time.Millisecond),
		Msg: amqp.Publishing{Body: []byte("again"), Headers: amqp.Table{"x-fmn-attempt": int32(1)}}}))
	select {
	case d := <-deliveries:
		require.Equal(t, "again", string(d.Body))
		require.Equal(t, "email", d.RoutingKey)
		require.EqualValues(t, 1, d.Headers["x-fmn-attempt"])
		require.NoError(t, d.Ack(false))
	case <-time.After(waitTimeout):
		t.Fatal("the delayed message never came back to the email queue")
	}
}
