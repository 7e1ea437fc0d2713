package rabbittest_test

import (
	"regexp"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/rabbit"
	"fmn/internal/testkit/rabbittest"
)

func TestPrefix(t *testing.T) {
	t.Parallel()
	t.Run("a b/c.d", func(t *testing.T) {
		t.Parallel()
		p := rabbittest.Prefix(t)
		require.Regexp(t, regexp.MustCompile(`^TestPrefix_a_b_c_d-[0-9a-f]{8}\.$`), p)
		require.NotEqual(t, p, rabbittest.Prefix(t))
	})
}

func TestURLSkipsWhenUnreachable(t *testing.T) {
	t.Setenv(rabbittest.EnvURL, "amqp://guest:guest@127.0.0.1:1/")
	t.Setenv("CI", "")
	var sub *testing.T
	t.Run("unreachable", func(t *testing.T) {
		sub = t
		rabbittest.URL(t)
		t.Error("URL returned for an unreachable broker")
	})
	require.True(t, sub.Skipped())
}

func TestTopology(t *testing.T) {
	t.Parallel()
	url := rabbittest.URL(t)
	top := rabbittest.Topology(t, url)
	require.Regexp(t, regexp.MustCompile(`^TestTopology-[0-9a-f]{8}\.amq\.topic$`), top.BusExchange)
	require.Regexp(t, regexp.MustCompile(`^TestTopology-[0-9a-f]{8}\.fmn\.work$`), top.WorkQueue)
}

func TestTopologyDeletedInCleanup(t *testing.T) {
	t.Parallel()
	url := rabbittest.URL(t)
	var top rabbit.Topology
	t.Run("declare", func(t *testing.T) {
		top = rabbittest.Topology(t, url)
		requireQueue(t, url, top.WorkQueue, true)
	})
	requireQueue(t, url, top.WorkQueue, false)
}

// requireQueue checks whether queue exists.
func requireQueue(t *testing.T, url, queue string, exists bool) {
	t.Helper()
	conn, err := amqp.Dial(url)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	ch, err := conn.Channel()
	require.NoError(t, err)
	_, err = ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if exists {
		require.NoError(t, err)
		return
	}
	var ae *amqp.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, amqp.NotFound, ae.Code)
}
