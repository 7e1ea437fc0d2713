package rabbit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/rabbit"
	"fmn/internal/testkit/rabbittest"
)

// These tests disrupt the shared broker: they take rabbittest's exclusive
// lock and are not parallel.

func TestBrokerRestart(t *testing.T) {
	url, restart := rabbittest.Restartable(t)

	// Every Setup after the first blocks until released, so the test can
	// observe that the Conn is not ready while it reconnects.
	var (
		setups     atomic.Int32
		reconnects = make(chan struct{}, 1)
		release    = make(chan struct{})
	)
	b := setupWithURL(t, url, func(top rabbit.Topology) rabbit.Config {
		return rabbit.Config{Setup: func(ch *amqp.Channel) error {
			if setups.Add(1) > 1 {
				select {
				case reconnects <- struct{}{}:
				default:
				}
				<-release
			}
			return top.Declare(ch)
		}}
	})
	p := b.publisher(t)

	got := make(chan string, 10)
	var onReconnect atomic.Int32
	b.consumer(t, rabbit.ConsumeOptions{
		Queue:       b.top.WorkQueue,
		OnReconnect: func() { onReconnect.Add(1) },
	}, func(_ context.Context, batch []amqp.Delivery) {
		for _, d := range batch {
			ack(t, d)
			got <- string(d.Body)
		}
	})
	b.publishBodies(t, p, b.top.WorkQueue, "before")
	require.Equal(t, "before", receive(t, got))
	require.Zero(t, onReconnect.Load())

	restart()
	receive(t, reconnects)
	require.False(t, b.conn.Ready(), "ready before Setup finished")
	close(release)
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	require.NoError(t, b.conn.WaitReady(ctx))
	require.True(t, b.conn.Ready())

	// The same Publisher and consumer carry on.
	b.publishBodies(t, p, b.top.WorkQueue, "after")
	require.Equal(t, "after", receive(t, got))
	require.Equal(t, int32(1), onReconnect.Load())
	require.Equal(t, 1.0, metricValue(t, b.reg, "fmn_rabbit_reconnects_total", nil))
	require.Equal(t, 1.0, metricValue(t, b.reg, "fmn_rabbit_connection_up", nil))
}

func TestCloseAllConnections(t *testing.T) {
	url, closeAll := rabbittest.CloseAllConnections(t)
	b := setupWithURL(t, url, nil)
	p := b.publisher(t)

	// A worker-style prefs consumer: a server-named exclusive queue bound to
	// the prefs fanout, declared anew on every subscription.
	var (
		mu     sync.Mutex
		queues []string
	)
	declare := func(ch *amqp.Channel) (string, error) {
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			return "", err
		}
		if err := ch.QueueBind(q.Name, "", b.top.PrefsExchange, false, nil); err != nil {
			return "", err
		}
		mu.Lock()
		queues = append(queues, q.Name)
		mu.Unlock()
		return q.Name, nil
	}
	got := make(chan string, 10)
	reloaded := make(chan struct{}, 10)
	b.consumer(t, rabbit.ConsumeOptions{
		Declare:     declare,
		Exclusive:   true,
		OnReconnect: func() { reloaded <- struct{}{} },
	}, func(_ context.Context, batch []amqp.Delivery) {
		for _, d := range batch {
			ack(t, d)
			got <- string(d.Body)
		}
	})
	prefs := func(body string) rabbit.Outgoing {
		return rabbit.Outgoing{Exchange: b.top.PrefsExchange, Msg: amqp.Publishing{Body: []byte(body)}}
	}
	// The queue is bound once the consumer subscribed; until then a publish
	// is unroutable.
	eventually(t, func() bool { return p.Publish(t.Context(), prefs("v1")) == nil })
	require.Equal(t, "v1", receive(t, got))

	closeAll()
	receive(t, reloaded)
	require.NoError(t, p.Publish(t.Context(), prefs("v2")))
	require.Equal(t, "v2", receive(t, got))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, queues, 2)
	require.NotEqual(t, queues[0], queues[1])
	require.Equal(t, 1.0, metricValue(t, b.reg, "fmn_rabbit_reconnects_total", nil))
}
