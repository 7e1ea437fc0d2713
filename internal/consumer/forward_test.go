package consumer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"fmn/internal/deadletter/letter"
	"fmn/internal/testkit/redistest"
	"fmn/pkg/message"
)

// A bus message reaches the work queue, decoded and extracted, with a link to its history
// entry when its producer names no page; the archive queue gets the same work item.
func TestForwarderHandsBusMessagesToTheWorkers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cfg := b.config()
	cfg.PublicURL = "https://fmn.example.org"
	j := b.jobs(cfg)
	b.run(j.forwarder(b.rdb, b.pool, nil).run)

	b.publishBus(delivery("fw-1", "alice", "bob"))
	work := b.nextWork(b.topo.WorkQueue)
	require.Len(t, work, 1)
	msg := work[0]
	require.Equal(t, "fw-1", msg.ID)
	require.Equal(t, bodhiTopic, msg.Topic)
	require.Equal(t, "bodhi", msg.App, "extracted from the topic")
	require.Equal(t, message.SeverityInfo, msg.Severity)
	require.ElementsMatch(t, []string{"alice", "bob"}, msg.Usernames, "from the headers")
	require.WithinDuration(t, time.Now(), msg.SentAt, time.Hour)
	require.Equal(t, message.HistoryURL(cfg.PublicURL, "fw-1"), msg.URL)
	require.JSONEq(t, `{"comment":{"text":"test fw-1"}}`, string(msg.Body))

	require.Equal(t, work, b.nextWork(b.topo.ArchiveQueue), "the archiver gets the same work item")
	require.Eventually(t, func() bool { return testutil.ToFloat64(j.m.forward.forwarded) == 1 }, waitFor, 5*time.Millisecond)
	require.Equal(t, 1.0, testutil.ToFloat64(j.m.forward.received))
	require.Equal(t, 1.0, testutil.ToFloat64(j.m.forward.workItems))
}

// With archiving off, work items go to the work queue only.
func TestForwarderWithoutArchive(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cfg := b.config()
	cfg.Topology.ArchiveQueue = ""
	f := b.jobs(cfg).forwarder(b.rdb, b.pool, nil)

	f.handle(context.Background(), []amqp.Delivery{delivery("na-1")})
	require.Equal(t, []string{"na-1"}, ids(b.nextWork(b.topo.WorkQueue)))
	require.Zero(t, b.depth(b.topo.ArchiveQueue))
}

// Malformed bus messages go to the dead-letter exchange, unchanged, with stage "consumer" and
// the reason; the rest of their batch goes on.
func TestForwarderDeadLettersMalformedMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	j := b.jobs(b.config())
	f := j.forwarder(b.rdb, b.pool, nil)

	notJSON := delivery("bad-1")
	notJSON.Body = []byte("this is not json")
	tooBig := delivery("bad-2")
	tooBig.Body = []byte(`{"big":"` + strings.Repeat("x", 70<<10) + `"}`)
	f.handle(context.Background(), []amqp.Delivery{notJSON, delivery("good-1"), tooBig})

	require.Equal(t, []string{"good-1"}, ids(b.nextWork(b.topo.WorkQueue)))
	reasons := map[string]string{}
	for range 2 {
		d := b.next(b.topo.DeadLetterQueue)
		require.Equal(t, "consumer", d.Headers[letter.HeaderStage])
		require.Equal(t, "amq.topic", d.Headers[letter.HeaderOriginalExchange])
		require.Equal(t, bodhiTopic, d.Headers[letter.HeaderOriginalRoutingKey])
		require.Equal(t, "test", d.Headers["fedora_messaging_schema"], "the original headers are kept")
		reasons[d.MessageId] = d.Headers[letter.HeaderReason].(string)
		if d.MessageId == "bad-1" {
			require.Equal(t, notJSON.Body, d.Body, "the original body")
		}
	}
	require.Contains(t, reasons["bad-1"], "not valid JSON")
	require.Contains(t, reasons["bad-2"], "exceeds the limit")
	require.Equal(t, 2.0, testutil.ToFloat64(j.m.forward.malformed))
	require.Equal(t, 1.0, testutil.ToFloat64(j.m.forward.forwarded))
}

// An id seen before, in the same batch or in an earlier one, is dropped; a batch of nothing
// but repeats publishes nothing.
func TestForwarderDropsIDsAlreadySeen(t *testing.T) {
	t.Parallel()
	b := setup(t)
	j := b.jobs(b.config())
	f := j.forwarder(b.rdb, b.pool, nil)
	ctx := context.Background()

	f.handle(ctx, []amqp.Delivery{delivery("a"), delivery("a"), delivery("b")})
	require.Equal(t, []string{"a", "b"}, ids(b.nextWork(b.topo.WorkQueue)))
	f.handle(ctx, []amqp.Delivery{delivery("a"), delivery("c")})
	require.Equal(t, []string{"c"}, ids(b.nextWork(b.topo.WorkQueue)))
	f.handle(ctx, []amqp.Delivery{delivery("b")})
	f.handle(ctx, []amqp.Delivery{delivery("d")})
	require.Equal(t, []string{"d"}, ids(b.nextWork(b.topo.WorkQueue)), "the batch of a repeat alone published nothing")
	require.Zero(t, b.depth(b.topo.WorkQueue))

	require.Equal(t, 3.0, testutil.ToFloat64(j.m.forward.duplicates))
	require.Equal(t, 4.0, testutil.ToFloat64(j.m.forward.forwarded))
	require.Equal(t, 3.0, testutil.ToFloat64(j.m.forward.workItems))
	ttl, err := b.rdb.TTL(ctx, f.dedup.key("a")).Result()
	require.NoError(t, err)
	require.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 60, "the id is remembered for DedupTTL")
}

// A batch larger than BatchSize is split into work items of at most BatchSize messages.
func TestForwarderSplitsWorkItems(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cfg := b.config()
	cfg.BatchSize = 2
	j := b.jobs(cfg)
	f := j.forwarder(b.rdb, b.pool, nil)

	f.handle(context.Background(), []amqp.Delivery{delivery("s-1"), delivery("s-2"), delivery("s-3"), delivery("s-4"), delivery("s-5")})
	require.Equal(t, []string{"s-1", "s-2"}, ids(b.nextWork(b.topo.WorkQueue)))
	require.Equal(t, []string{"s-3", "s-4"}, ids(b.nextWork(b.topo.WorkQueue)))
	require.Equal(t, []string{"s-5"}, ids(b.nextWork(b.topo.WorkQueue)))
	require.Equal(t, 3.0, testutil.ToFloat64(j.m.forward.workItems))
}

// Without Redis the dedup hint is skipped and messages still go through.
func TestForwarderGoesOnWithoutTheDedupHint(t *testing.T) {
	t.Parallel()
	b := setup(t)
	opts, err := redis.ParseURL(redistest.URL())
	require.NoError(t, err)
	closed := redis.NewClient(opts)
	require.NoError(t, closed.Close())
	f := b.jobs(b.config()).forwarder(closed, b.pool, nil)

	f.handle(context.Background(), []amqp.Delivery{delivery("nr-1")})
	require.Equal(t, []string{"nr-1"}, ids(b.nextWork(b.topo.WorkQueue)))
}
