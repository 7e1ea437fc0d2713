package queuestatus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/config"
	"fmn/internal/queuestatus"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/testkit/testenv"
	"fmn/internal/testkit/testproc"
)

const (
	// envAPIURL names the variable with the test broker's management API URL.
	envAPIURL = "FMN_TEST_RABBITMQ_API_URL"
	// defaultAPIURL is the management API scripts/services.sh enables.
	defaultAPIURL = "http://guest:guest@127.0.0.1:15672"
	// apiDeadline bounds waits on management figures: the plugin refreshes them every 5 s, and a
	// rate needs two refreshes.
	apiDeadline = 60 * time.Second
)

type testBundle struct {
	url  string
	top  rabbit.Topology
	conn *rabbit.Conn
	// ch is the test's own channel, for publishing and consuming.
	ch  *amqp.Channel
	reg *prometheus.Registry
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	url := rabbittest.URL(t)
	top := rabbittest.Topology(t, url)
	conn, err := rabbit.Dial(rabbit.Config{URL: url}, rabbit.Deps{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	ac, err := amqp.Dial(url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ac.Close() })
	ch, err := ac.Channel()
	require.NoError(t, err)
	return &testBundle{url: url, top: top, conn: conn, ch: ch, reg: prometheus.NewPedanticRegistry()}
}

// sampler returns a Sampler of the bundle's topology (or top, if given) registered on b.reg.
func (b *testBundle) sampler(t *testing.T, cfg queuestatus.Config, logger *slog.Logger) *queuestatus.Sampler {
	t.Helper()
	s, err := queuestatus.New(cfg, b.top, queuestatus.Deps{Conn: b.conn, Logger: logger, Registerer: b.reg})
	require.NoError(t, err)
	return s
}

func (b *testBundle) publish(t *testing.T, queue string, n int) {
	t.Helper()
	for i := range n {
		err := b.ch.PublishWithContext(t.Context(), "", queue, true, false, amqp.Publishing{Body: fmt.Appendf(nil, "m%d", i)})
		require.NoError(t, err)
	}
}

// consume starts a consumer on queue that acks everything it gets.
func (b *testBundle) consume(t *testing.T, queue string) {
	t.Helper()
	require.NoError(t, b.ch.Qos(10, 0, false))
	// Not t.Context(): it ends before the cleanups, and amqp091-go would then send basic.cancel
	// from its own goroutine while the cleanup's Close is in flight; two RPCs on one channel can
	// leave Close waiting forever (it hung a CI run for ten minutes). Closing the channel ends the
	// consumer, as in rabbit.Conn's consume.
	ds, err := b.ch.ConsumeWithContext(context.WithoutCancel(t.Context()), queue, "", false, false, false, false, nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Go(func() {
		for d := range ds {
			_ = d.Ack(false)
		}
	})
	t.Cleanup(func() { _ = b.ch.Close(); wg.Wait() })
}

// find returns the queue named name of snap.
func find(t *testing.T, snap queuestatus.Snapshot, name string) queuestatus.Queue {
	t.Helper()
	for _, q := range snap.Queues {
		if q.Name == name {
			return q
		}
	}
	t.Fatalf("queue %s not in snapshot %+v", name, snap)
	return queuestatus.Queue{}
}

func TestAMQPDepthsAndConsumers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := b.sampler(t, queuestatus.Config{}, nil)
	require.True(t, s.Latest().At.IsZero(), "no snapshot before the first poll")

	const k = 3
	b.publish(t, b.top.WorkQueue, k)
	var snap queuestatus.Snapshot
	require.Eventually(t, func() bool {
		snap = s.Poll(t.Context())
		return snap.Err == "" && find(t, snap, b.top.WorkQueue).Ready == k
	}, 10*time.Second, 50*time.Millisecond, "work queue never showed %d ready: %+v", k, snap)

	require.Equal(t, snap, s.Latest())
	require.False(t, snap.At.IsZero())
	require.Len(t, snap.Queues, len(b.top.Queues()))
	for i, name := range b.top.Queues() {
		q := snap.Queues[i]
		require.Equal(t, name, q.Name)
		require.Equal(t, queuestatus.SourceAMQP, q.Source)
		require.False(t, q.Missing, name)
		require.Zero(t, q.Consumers, name)
		if name != b.top.WorkQueue {
			require.Zero(t, q.Ready, name)
		}
	}
	work := find(t, snap, b.top.WorkQueue)
	require.Equal(t, queuestatus.RoleWork, work.Role)
	email := find(t, snap, b.top.DeliverQueues["email"])
	require.Equal(t, queuestatus.RoleDeliver, email.Role)
	require.Equal(t, "email", email.Channel)

	msgs := series(t, b.reg, "fmn_queue_messages")
	require.Len(t, msgs, len(b.top.Queues()), "only ready: amqp does not know unacked counts")
	require.Equal(t, map[string]float64{b.top.WorkQueue + "|ready": k}, nonZero(msgs))
	cons := series(t, b.reg, "fmn_queue_consumers")
	require.Len(t, cons, len(b.top.Queues()))
	require.Empty(t, nonZero(cons))

	b.consume(t, b.top.WorkQueue)
	require.Eventually(t, func() bool {
		snap = s.Poll(t.Context())
		w := find(t, snap, b.top.WorkQueue)
		return w.Consumers == 1 && w.Ready == 0
	}, 10*time.Second, 50*time.Millisecond, "work queue never showed its consumer: %+v", snap)
	require.Equal(t, map[string]float64{b.top.WorkQueue: 1}, nonZero(series(t, b.reg, "fmn_queue_consumers")))
}

func TestAMQPMissingQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// A retry queue the topology names but nobody declared.
	b.top = b.top.WithRetryDelays("email", []time.Duration{time.Minute})
	missing := b.top.RetryQueue("email", time.Minute)
	s := b.sampler(t, queuestatus.Config{}, nil)

	snap := s.Poll(t.Context())
	require.Empty(t, snap.Err)
	require.Len(t, snap.Queues, len(b.top.Queues()))
	for _, q := range snap.Queues {
		require.Equal(t, q.Name == missing, q.Missing, q.Name)
	}
	m := find(t, snap, missing)
	require.Equal(t, queuestatus.RoleRetry, m.Role)
	require.Equal(t, "email", m.Channel)
	// The 404 closed a channel; the queues after it (fmn.work sorts after fmn.retry.*) were still
	// inspected on a new one.
	b.publish(t, b.top.WorkQueue, 2)
	require.Eventually(t, func() bool {
		return find(t, s.Poll(t.Context()), b.top.WorkQueue).Ready == 2
	}, 10*time.Second, 50*time.Millisecond)
	require.NotContains(t, series(t, b.reg, "fmn_queue_consumers"), missing, "a missing queue has no series")
	require.Len(t, series(t, b.reg, "fmn_queue_consumers"), len(b.top.Queues())-1)
}

func TestManagementAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	api := apiURL(t)
	b.top = b.top.WithRetryDelays("irc", []time.Duration{time.Hour}) // not declared: missing
	s := b.sampler(t, queuestatus.Config{APIURL: config.URL(api), Vhost: "/"}, nil)

	// A worker's private prefs queue, as the worker declares it.
	pq, err := b.ch.QueueDeclare("", false, true, true, false, amqp.Table{"x-queue-type": "classic"})
	require.NoError(t, err)
	require.NoError(t, b.ch.QueueBind(pq.Name, "", b.top.PrefsExchange, false, nil))

	// Traffic through the work queue: a publisher and a consumer that acks, until the test ends.
	b.consume(t, b.top.WorkQueue)
	pch := b.newChannel(t)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = pch.PublishWithContext(ctx, "", b.top.WorkQueue, false, false, amqp.Publishing{Body: []byte("x")})
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })

	var snap queuestatus.Snapshot
	require.Eventually(t, func() bool {
		snap = s.Poll(t.Context())
		w := find(t, snap, b.top.WorkQueue)
		return snap.Err == "" && w.Consumers == 1 && w.PublishRate > 0 && w.DeliverRate > 0 && w.AckRate > 0
	}, apiDeadline, 500*time.Millisecond, "work queue rates never showed: %+v", snap)

	for _, q := range snap.Queues {
		require.Equal(t, queuestatus.SourceManagement, q.Source, q.Name)
	}
	require.True(t, find(t, snap, b.top.RetryQueue("irc", time.Hour)).Missing)
	require.False(t, find(t, snap, b.top.BusQueue).Missing)
	prefs := find(t, snap, pq.Name)
	require.Equal(t, queuestatus.RolePrefs, prefs.Role)
	msgs := series(t, b.reg, "fmn_queue_messages")
	require.Contains(t, msgs, b.top.WorkQueue+"|unacked")
	require.Contains(t, msgs, b.top.WorkQueue+"|ready")
	require.NotContains(t, msgs, pq.Name+"|ready", "prefs queues have no series")
	require.Len(t, msgs, 2*(len(b.top.Queues())-1), "ready and unacked of every queue but the missing one")
}

func TestManagementAPIDepths(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s := b.sampler(t, queuestatus.Config{APIURL: config.URL(apiURL(t))}, nil)
	const k = 4
	b.publish(t, b.top.DeliverQueues["sse"], k)
	var snap queuestatus.Snapshot
	require.Eventually(t, func() bool {
		snap = s.Poll(t.Context())
		q := find(t, snap, b.top.DeliverQueues["sse"])
		return snap.Err == "" && q.Source == queuestatus.SourceManagement && q.Ready == k && q.Unacked == 0
	}, apiDeadline, 500*time.Millisecond, "sse queue never showed %d ready: %+v", k, snap)
}

// TestSecretsNeverShown: a management API URL's password is in no error, log line or printed
// config, whether the API is unreachable or refuses the password; the AMQP fallback still fills
// the snapshot in.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	const password = "hunter2-s3cret"
	b := setup(t)
	type tc struct{ api, wantErr string }
	cases := map[string]tc{
		// Nothing listens on port 1.
		"unreachable": {api: "http://fmn:" + password + "@127.0.0.1:1", wantErr: "connection refused"},
	}
	if real, err := url.Parse(apiURL(t)); err == nil {
		// The real API with a wrong password.
		cases["refused"] = tc{api: "http://guest:" + password + "@" + real.Host, wantErr: "status 401"}
	}
	for name, tc := range cases {
		api := tc.api
		t.Run(name, func(t *testing.T) {
			var logs testproc.SyncBuffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s, err := queuestatus.New(queuestatus.Config{APIURL: config.URL(api), Poll: time.Second}, b.top,
				queuestatus.Deps{Conn: b.conn, Logger: logger})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			require.Eventually(t, func() bool { return s.Latest().Err != "" }, 20*time.Second, 20*time.Millisecond)
			cancel()
			require.NoError(t, <-done)

			snap := s.Latest()
			require.Contains(t, snap.Err, "management api")
			require.Contains(t, snap.Err, tc.wantErr)
			require.NotContains(t, snap.Err, password)
			require.NotEmpty(t, snap.Queues, "amqp fallback")
			require.Equal(t, queuestatus.SourceAMQP, snap.Queues[0].Source)
			js, err := json.Marshal(snap)
			require.NoError(t, err)
			require.NotContains(t, string(js), password)
			require.Contains(t, logs.String(), "sample queues")
			require.NotContains(t, logs.String(), password)

			cfg := queuestatus.ReadConfig(config.NewReader(env(map[string]string{"FMN_RABBITMQ_API_URL": api})), config.AMQP{})
			require.Equal(t, api, string(cfg.APIURL))
			require.NotContains(t, fmt.Sprintf("%v %+v %s", cfg, cfg, cfg.APIURL), password)
			js, err = json.Marshal(cfg)
			require.NoError(t, err)
			require.NotContains(t, string(js), password)
		})
	}
}

func TestReadConfig(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		env     map[string]string
		amqpURL string
		want    queuestatus.Config
		wantErr string
	}{
		// Nothing set: AMQP only, every 5 s, the default vhost.
		"defaults": {want: queuestatus.Config{Vhost: "/", Poll: 5 * time.Second}},
		// The vhost comes from the AMQP URL.
		"vhost": {amqpURL: "amqp://u:p@h:5672/fmn", env: map[string]string{"FMN_STATUS_POLL": "10s"},
			want: queuestatus.Config{Vhost: "fmn", Poll: 10 * time.Second}},
		// An API URL is kept as given.
		"api": {env: map[string]string{"FMN_RABBITMQ_API_URL": "https://u:p@rabbit:15671/"},
			want: queuestatus.Config{APIURL: "https://u:p@rabbit:15671/", Vhost: "/", Poll: 5 * time.Second}},
		// Polls faster than once a second are refused.
		"poll too short": {env: map[string]string{"FMN_STATUS_POLL": "100ms"}, wantErr: "FMN_STATUS_POLL: must be at least 1s"},
		// Not a duration.
		"poll invalid": {env: map[string]string{"FMN_STATUS_POLL": "often"}, wantErr: "FMN_STATUS_POLL"},
		// The API is spoken over HTTP.
		"api scheme": {env: map[string]string{"FMN_RABBITMQ_API_URL": "amqp://u:p@h:5672"}, wantErr: "FMN_RABBITMQ_API_URL: must be an http or https URL"},
		// An unparsable URL is refused without quoting it (it holds a password).
		"api unparsable": {env: map[string]string{"FMN_RABBITMQ_API_URL": "http://u:pw-in-url@[::1"}, wantErr: "FMN_RABBITMQ_API_URL: is not a valid URL"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := config.NewReader(env(tc.env))
			got := queuestatus.ReadConfig(r, config.AMQP{URL: config.URL(tc.amqpURL)})
			if tc.wantErr != "" {
				require.ErrorContains(t, r.Err(), tc.wantErr)
				require.NotContains(t, r.Err().Error(), "pw-in-url")
				return
			}
			require.NoError(t, r.Err())
			require.Equal(t, tc.want, got)
		})
	}
}

// apiURL returns the test broker's management API URL, or skips (fails in CI) when it does not
// answer.
func apiURL(t *testing.T) string {
	t.Helper()
	raw := os.Getenv(envAPIURL)
	if raw == "" {
		raw = defaultAPIURL
	}
	u, err := url.Parse(raw)
	require.NoError(t, err, envAPIURL)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	pass, _ := u.User.Password()
	plain := *u
	plain.User = nil
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, plain.String()+"/api/overview", nil)
	require.NoError(t, err)
	req.SetBasicAuth(u.User.Username(), pass)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err != nil {
		testenv.Unavailable(t, "rabbitmq management api at "+u.Redacted()+" (scripts/services.sh enables it; "+envAPIURL+")", err)
	}
	return raw
}

func (b *testBundle) newChannel(t *testing.T) *amqp.Channel {
	t.Helper()
	ac, err := amqp.Dial(b.url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = ac.Close() })
	ch, err := ac.Channel()
	require.NoError(t, err)
	return ch
}

// series returns the values of the named metric's series by their label values joined with "|",
// e.g. "q|ready" for fmn_queue_messages{queue="q",state="ready"} and "q" for fmn_queue_consumers.
func series(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var vals []string
			for _, l := range m.GetLabel() { // sorted by label name: queue, state
				vals = append(vals, l.GetValue())
			}
			out[strings.Join(vals, "|")] = m.GetGauge().GetValue()
		}
	}
	return out
}

// nonZero returns the entries of m whose value is not zero.
func nonZero(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

func env(m map[string]string) config.LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}
