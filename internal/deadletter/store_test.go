package deadletter_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/deadletter"
	"fmn/internal/deadletter/letter"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/testkit/rabbittest"
)

var t0 = time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)

// deadLetter is a dead letter of stage that died at t0 plus n minutes.
func deadLetter(stage string, n int) deadletter.Archived {
	d := amqp.Delivery{Exchange: "fmn.dead", RoutingKey: "k", MessageId: fmt.Sprintf("m-%d", n), ContentType: "application/json",
		Headers: amqp.Table{
			letter.HeaderStage: stage, letter.HeaderReason: "r", letter.HeaderOriginalExchange: "amq.topic",
			letter.HeaderOriginalRoutingKey: "org.x", letter.HeaderDeadAt: t0.Add(time.Duration(n) * time.Minute).Format(time.RFC3339Nano),
		},
		Body: []byte(`{"n":1}`)}
	return deadletter.FromDelivery(d, deadletter.DefaultMaxBody, t0)
}

func ids(ls []deadletter.Letter) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.MessageID
	}
	return out
}

func TestStoreListsNewestFirstWithFiltersAndPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := deadletter.NewStore(pgtest.Pool(t))
	var in []deadletter.Archived
	for n := range 5 {
		stage := "consumer"
		if n%2 == 1 {
			stage = "worker"
		}
		in = append(in, deadLetter(stage, n))
	}
	added, err := s.Insert(ctx, in)
	require.NoError(t, err)
	require.Len(t, added, 5)

	// A redelivery of the same deliveries adds nothing.
	added, err = s.Insert(ctx, in[:2])
	require.NoError(t, err)
	require.Empty(t, added)

	all, next, err := s.List(ctx, deadletter.Query{})
	require.NoError(t, err)
	require.Zero(t, next)
	require.Equal(t, []string{"m-4", "m-3", "m-2", "m-1", "m-0"}, ids(all))
	require.Equal(t, t0.Add(4*time.Minute), all[0].DeadAt.UTC())
	require.Equal(t, "org.x", all[0].OriginalRoutingKey)
	require.Nil(t, all[0].Body)

	p1, next, err := s.List(ctx, deadletter.Query{PerPage: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"m-4", "m-3"}, ids(p1))
	p2, next, err := s.List(ctx, deadletter.Query{PerPage: 2, Before: next})
	require.NoError(t, err)
	require.Equal(t, []string{"m-2", "m-1"}, ids(p2))
	p3, next, err := s.List(ctx, deadletter.Query{PerPage: 2, Before: next})
	require.NoError(t, err)
	require.Equal(t, []string{"m-0"}, ids(p3))
	require.Zero(t, next)

	workers, _, err := s.List(ctx, deadletter.Query{Stage: "worker"})
	require.NoError(t, err)
	require.Equal(t, []string{"m-3", "m-1"}, ids(workers))
	recent, _, err := s.List(ctx, deadletter.Query{Stage: "consumer", Since: t0.Add(2 * time.Minute)})
	require.NoError(t, err)
	require.Equal(t, []string{"m-4", "m-2"}, ids(recent))
	none, next, err := s.List(ctx, deadletter.Query{Stage: "backend-irc"})
	require.NoError(t, err)
	require.Empty(t, none)
	require.Zero(t, next)
}

func TestStoreGetRedriveDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := deadletter.NewStore(pgtest.Pool(t))
	_, err := s.Insert(ctx, []deadletter.Archived{deadLetter("worker", 1)})
	require.NoError(t, err)
	ls, _, err := s.List(ctx, deadletter.Query{})
	require.NoError(t, err)
	id := ls[0].ID

	l, err := s.Get(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []byte(`{"n":1}`), l.Body)
	require.Contains(t, string(l.Headers), `"x-fmn-stage": "worker"`)

	// A failed publish records nothing.
	boom := errors.New("boom")
	_, err = s.Redrive(ctx, id, t0, func(context.Context, deadletter.Letter) error { return boom })
	require.ErrorIs(t, err, boom)
	l, err = s.Get(ctx, id)
	require.NoError(t, err)
	require.Zero(t, l.RedriveCount)
	require.Nil(t, l.RedrivenAt)

	var seen []int
	for range 2 {
		l, err = s.Redrive(ctx, id, t0.Add(time.Hour), func(_ context.Context, l deadletter.Letter) error {
			require.Equal(t, []byte(`{"n":1}`), l.Body)
			seen = append(seen, l.RedriveCount)
			return nil
		})
		require.NoError(t, err)
	}
	require.Equal(t, []int{0, 1}, seen)
	require.Equal(t, 2, l.RedriveCount)
	require.Equal(t, t0.Add(time.Hour), l.RedrivenAt.UTC())

	require.NoError(t, s.Delete(ctx, id))
	_, err = s.Get(ctx, id)
	require.ErrorIs(t, err, deadletter.ErrNotFound)
	require.ErrorIs(t, s.Delete(ctx, id), deadletter.ErrNotFound)
	_, err = s.Redrive(ctx, id, t0, func(context.Context, deadletter.Letter) error { return nil })
	require.ErrorIs(t, err, deadletter.ErrNotFound)
}

func TestFromDeliveryOfTheBrokerAndTruncation(t *testing.T) {
	t.Parallel()
	died := time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)
	d := amqp.Delivery{Exchange: "fmn.dead", RoutingKey: "fmn.work", MessageId: "w-1", Body: []byte(strings.Repeat("b", 100)),
		Headers: amqp.Table{"x-death": []any{amqp.Table{
			"reason": "delivery_limit", "queue": "fmn.work", "exchange": "", "routing-keys": []any{"fmn.work"}, "time": died, "count": int64(1),
		}}}}
	a := deadletter.FromDelivery(d, 10, t0)
	require.Equal(t, deadletter.StageBroker, a.Stage)
	require.Equal(t, "dead-lettered by the broker: delivery_limit in queue fmn.work", a.Reason)
	require.Equal(t, "", a.OriginalExchange)
	require.Equal(t, "fmn.work", a.OriginalRoutingKey)
	require.Equal(t, died, a.DeadAt)
	require.True(t, a.Truncated)
	require.Equal(t, 100, a.Size)
	require.Len(t, a.Body, 10)
	require.Equal(t, a.Hash, deadletter.FromDelivery(d, 10, t0.Add(time.Hour)).Hash, "a redelivery hashes alike")
	d.Headers["x-delivery-count"] = int64(1) // a quorum queue's redelivery
	require.Equal(t, a.Hash, deadletter.FromDelivery(d, 10, t0).Hash, "a redelivery hashes alike")
	d.Headers["x-death"].([]any)[0].(amqp.Table)["count"] = int64(2)
	require.NotEqual(t, a.Hash, deadletter.FromDelivery(d, 10, t0).Hash, "another death hashes apart")

	_, err := deadletter.Republish(deadletter.Letter{Truncated: true}, 1, t0)
	require.ErrorIs(t, err, deadletter.ErrTruncated)
}

func TestRepublishRestoresHeadersWithoutDeadLetterOnes(t *testing.T) {
	t.Parallel()
	d := amqp.Delivery{RoutingKey: "org.x", MessageId: "m", ContentType: "application/json", Body: []byte(`{}`),
		Headers: amqp.Table{
			"fedora_messaging_severity": int32(20), "fedora_messaging_user_alice": true, "ratio": 0.5,
			"nested": amqp.Table{"a": "b"}, "list": []any{"x", int16(2)},
			letter.HeaderStage: "consumer", letter.HeaderReason: "r", letter.HeaderOriginalExchange: "amq.topic",
			letter.HeaderOriginalRoutingKey: "org.x", letter.HeaderDeadAt: t0.Format(time.RFC3339Nano),
			"x-fmn-attempt": int32(3), "x-death": []any{amqp.Table{"count": int64(1)}},
		}}
	a := deadletter.FromDelivery(d, deadletter.DefaultMaxBody, t0)
	out, err := deadletter.Republish(deadletter.Letter{OriginalExchange: a.OriginalExchange, OriginalRoutingKey: a.OriginalRoutingKey,
		MessageID: a.MessageID, ContentType: a.ContentType, Headers: a.Headers, Body: a.Body}, 2, t0)
	require.NoError(t, err)
	require.Equal(t, "amq.topic", out.Exchange)
	require.Equal(t, "org.x", out.Key)
	require.Equal(t, "m", out.Msg.MessageId)
	require.Equal(t, amqp.Table{
		"fedora_messaging_severity": int64(20), "fedora_messaging_user_alice": true, "ratio": 0.5,
		"nested": amqp.Table{"a": "b"}, "list": []any{"x", int64(2)}, deadletter.HeaderRedriven: int64(2),
	}, out.Msg.Headers)
	require.NoError(t, out.Msg.Headers.Validate())

	topo := rabbit.DefaultTopology()
	require.True(t, deadletter.Redrivable(topo, "amq.topic", "anything"))
	require.True(t, deadletter.Redrivable(topo, "", "fmn.work"))
	require.True(t, deadletter.Redrivable(topo, "fmn.notifications", "email"))
	require.False(t, deadletter.Redrivable(topo, "", "some.queue"))
	require.False(t, deadletter.Redrivable(topo, "fmn.dead", ""))
}

// The archiver acks only after the insert committed: a batch stopped before its ack is delivered
// again and archived once.
func TestArchiverIsIdempotentOnRedelivery(t *testing.T) {
	t.Parallel()
	url := rabbittest.URL(t)
	topo := rabbittest.Topology(t, url)
	store := deadletter.NewStore(pgtest.Pool(t))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	conn, err := rabbit.Dial(rabbit.Config{URL: url, Setup: topo.Declare}, rabbit.Deps{Logger: logger})
	require.NoError(t, err)
	defer conn.Close()

	pub := conn.NewPublisher()
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msg := amqp.Publishing{MessageId: "m-1", Body: []byte("not json"),
		Headers: amqp.Table{letter.HeaderStage: "consumer", letter.HeaderReason: "bad", letter.HeaderDeadAt: t0.Format(time.RFC3339Nano)}}
	require.NoError(t, pub.Publish(ctx, rabbit.Outgoing{Exchange: topo.DeadLetterExchange, Msg: msg}))

	// First run: stop at the hook, after the insert, before the ack.
	var hooked atomic.Int32
	runCtx, stop := context.WithCancel(ctx)
	reg := prometheus.NewRegistry()
	a := deadletter.NewArchiver(deadletter.ArchiverConfig{Queue: topo.DeadLetterQueue}, store, conn, logger, reg, time.Now,
		func(context.Context) { hooked.Add(1); stop() })
	require.NoError(t, a.Run(runCtx))
	require.EqualValues(t, 1, hooked.Load())

	// Second run: the delivery comes again; it is acked, and still one row.
	reg2 := prometheus.NewRegistry()
	acked := make(chan struct{}, 1)
	runCtx2, stop2 := context.WithCancel(ctx)
	defer stop2()
	a2 := deadletter.NewArchiver(deadletter.ArchiverConfig{Queue: topo.DeadLetterQueue}, store, conn, logger, reg2, time.Now,
		func(context.Context) { acked <- struct{}{} })
	done := make(chan error, 1)
	go func() { done <- a2.Run(runCtx2) }()
	select {
	case <-acked:
	case <-ctx.Done():
		t.Fatal("redelivery never archived")
	}
	stop2()
	require.NoError(t, <-done)

	ls, _, err := store.List(ctx, deadletter.Query{})
	require.NoError(t, err)
	require.Len(t, ls, 1)
	require.Equal(t, "consumer", ls[0].Stage)
	require.Equal(t, 1.0, archived(t, reg, "consumer"))
	require.Equal(t, -1.0, archived(t, reg2, "consumer"), "the redelivery was not counted again")
}

// archived reads the archived counter of stage from reg; -1 if there is none.
func archived(t *testing.T, reg *prometheus.Registry, stage string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != "fmn_deadletters_archived_total" {
			continue
		}
		for _, m := range mf.Metric {
			if m.GetLabel()[0].GetValue() == stage {
				return m.GetCounter().GetValue()
			}
		}
	}
	return -1
}
