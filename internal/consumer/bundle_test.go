package consumer

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"fmn/internal/config"
	"fmn/internal/lifecycle"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/testkit/redistest"
	"fmn/internal/wire"
	"fmn/pkg/message"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitFor bounds every wait on a condition in these tests.
const waitFor = 30 * time.Second

// bodhiTopic is the topic of the test messages, a family with a known extraction.
const bodhiTopic = "org.fedoraproject.prod.bodhi.update.comment"

// testBundle is one test's broker topology, database and Redis prefix, with the collaborators
// the consumer's jobs are built from.
type testBundle struct {
	t      *testing.T
	amqp   string
	topo   rabbit.Topology
	conn   *rabbit.Conn
	pub    *rabbit.Publisher
	dbURL  string
	pool   *pgxpool.Pool
	rdb    *redis.Client
	prefix string
	reg    *prometheus.Registry
	logger *slog.Logger
}

// setup gives a test its own topology, database and Redis prefix. Call t.Parallel first (see
// rabbittest.URL).
func setup(t *testing.T) *testBundle {
	t.Helper()
	b := &testBundle{t: t, amqp: rabbittest.URL(t), reg: prometheus.NewPedanticRegistry(),
		logger: slog.New(slog.DiscardHandler)}
	b.topo = rabbittest.Topology(t, b.amqp)
	b.dbURL = pgtest.DB(t)
	pool, err := pgxpool.New(context.Background(), b.dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	b.pool = pool
	b.rdb, b.prefix = redistest.Client(t)
	conn, err := rabbit.Dial(rabbit.Config{URL: b.amqp, Setup: b.topo.Declare}, rabbit.Deps{Logger: b.logger})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	b.conn = conn
	b.pub = conn.NewPublisher()
	t.Cleanup(func() { _ = b.pub.Close() })
	return b
}

// config is a consumer configuration for the bundle's services, with small batches.
func (b *testBundle) config() Config {
	return Config{
		AMQP: config.AMQP{URL: config.URL(b.amqp)}, Redis: config.Redis{URL: config.URL(redistest.URL()), Prefix: b.prefix},
		Postgres: config.Postgres{URL: config.URL(b.dbURL)}, Topology: b.topo, MetricsAddr: "127.0.0.1:0",
		MaxBodyBytes: 64 << 10, BatchSize: 16, Linger: 2 * time.Millisecond, DedupTTL: time.Hour,
		ArchiveBatch: 16, ArchiveLinger: 2 * time.Millisecond, ArchiveDuty: 1, AliasRefresh: 20 * time.Millisecond,
	}
}

// jobs returns the shared parts of the jobs of cfg, with metrics registered on b.reg.
func (b *testBundle) jobs(cfg Config) *jobs {
	al := newAliases(b.pool, b.logger, cfg.AliasRefresh)
	require.NoError(b.t, al.load(context.Background()))
	return &jobs{cfg: cfg, logger: b.logger, now: time.Now, m: newMetrics(b.reg), conn: b.conn, pub: b.pub,
		decoder: &decoder{maxBody: cfg.MaxBodyBytes, publicURL: cfg.PublicURL, aliases: al}}
}

// run runs fns until the test ends, and then requires them to have returned nil.
func (b *testBundle) run(fns ...func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- lifecycle.Group(ctx, fns...) }()
	b.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(b.t, err)
		case <-time.After(waitFor):
			b.t.Error("jobs did not stop")
		}
	})
}

// delivery is a bus delivery of a message naming users, as ConsumeBatches hands it over (but
// with no channel to ack on: settling it is a no-op).
func delivery(id string, users ...string) amqp.Delivery {
	h := amqp.Table{"fedora_messaging_schema": "test", "fedora_messaging_severity": int32(20),
		"sent-at": time.Now().UTC().Format(time.RFC3339)}
	for _, u := range users {
		h["fedora_messaging_user_"+u] = true
	}
	return amqp.Delivery{Exchange: "amq.topic", RoutingKey: bodhiTopic, MessageId: id, ContentType: "application/json",
		Headers: h, Body: fmt.Appendf(nil, `{"comment":{"text":"test %s"}}`, id)}
}

// publishBus publishes d's message on the bus exchange, with confirms.
func (b *testBundle) publishBus(d amqp.Delivery) {
	b.t.Helper()
	require.NoError(b.t, b.pub.Publish(context.Background(), rabbit.Outgoing{Exchange: b.topo.BusExchange, Key: d.RoutingKey,
		Msg: amqp.Publishing{MessageId: d.MessageId, ContentType: d.ContentType, Headers: d.Headers, Body: d.Body}}))
}

// next takes the next message off queue, waiting for one.
func (b *testBundle) next(queue string) amqp.Delivery {
	b.t.Helper()
	ch, err := b.conn.Channel(context.Background())
	require.NoError(b.t, err)
	defer func() { _ = ch.Close() }()
	var d amqp.Delivery
	require.Eventually(b.t, func() bool {
		var ok bool
		d, ok, err = ch.Get(queue, true)
		require.NoError(b.t, err)
		return ok
	}, waitFor, 5*time.Millisecond, "a message on %s", queue)
	return d
}

// depth is the number of ready messages on queue.
func (b *testBundle) depth(queue string) int {
	b.t.Helper()
	n, err := b.conn.QueueDepth(context.Background(), queue)
	require.NoError(b.t, err)
	return n
}

// nextWork takes the next work item off queue.
func (b *testBundle) nextWork(queue string) []message.Message {
	b.t.Helper()
	d := b.next(queue)
	require.Equal(b.t, wire.TypeWork, d.Type)
	require.Equal(b.t, wire.ContentType, d.ContentType)
	item, err := wire.DecodeWork(d.Body)
	require.NoError(b.t, err)
	return item.Messages
}

// ids are the ids of msgs.
func ids(msgs []message.Message) []string {
	out := make([]string, len(msgs))
	for i := range msgs {
		out[i] = msgs[i].ID
	}
	return out
}

// count runs a count query on the bundle's database.
func (b *testBundle) count(q string, args ...any) int {
	b.t.Helper()
	var n int
	require.NoError(b.t, b.pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}
