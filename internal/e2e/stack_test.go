package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"fmn/internal/backend"
	"fmn/internal/config"
	"fmn/internal/consumer"
	"fmn/internal/notify/sse"
	"fmn/internal/queuestatus"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/irctest"
	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/testkit/redistest"
	"fmn/internal/web"
	"fmn/internal/worker"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

const (
	adminToken = "test-admin-token"
	sseSecret  = "test-sse-secret-0123456789abcdef0123456789"
	muteSecret = "test-mute-secret-0123456789abcdef01234567"
	// waitFor bounds every wait on a condition in these tests.
	waitFor = 30 * time.Second
)

// stack is one fmn deployment for one test.
type stack struct {
	t        testing.TB
	amqpURL  string
	dbURL    string
	redisPfx string
	rdb      *redis.Client
	topo     rabbit.Topology
	pool     *pgxpool.Pool
	logger   *slog.Logger

	// mail, if set before the backend starts, is the SMTP server the backend delivers email to.
	mail *mailtest.Server
	// irc, if set before the backend starts, is the IRC server the backend's bot connects to.
	irc *irctest.Server

	webURL     string
	backendURL string
	// webMetricsURL and backendMetricsURL are the base URLs of the metrics listeners of the last
	// web app and backend started (their public listeners serve no /metrics).
	webMetricsURL, backendMetricsURL string
	// consumerBatch, if set, is the consumer's batch size (else a small one, for quick tests);
	// noArchive turns the consumer's archiving off (set before it starts); consumerReg is the
	// last consumer's metrics.
	consumerBatch int
	noArchive     bool
	archiveDuty   float64 // the archiver's FMN_ARCHIVE_DUTY (0: no limit)
	consumerReg   *prometheus.Registry
	// webAddr, if set before the web app starts, is its listen address (so that its URL is known
	// before it starts, for the backend's links).
	webAddr    string
	workerRegs []*prometheus.Registry
	// webClock, if set before the web app starts, is its clock.
	webClock func() time.Time
}

// proc is one running process.
type proc struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
	err    error         // Run's result, set before done is closed
}

// stop cancels the process and waits for Run to return.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	p.cancel()
	select {
	case <-p.done:
		require.NoError(t, p.err)
	case <-time.After(waitFor):
		t.Fatal("process did not stop")
	}
}

// running reports whether Run has not returned.
func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// newStack prepares a stack; amqpURL comes from rabbittest.URL or Restartable.
func newStack(t testing.TB, amqpURL string) *stack {
	t.Helper()
	s := &stack{t: t, amqpURL: amqpURL, logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	s.topo = rabbittest.Topology(t, amqpURL)
	s.dbURL = pgtest.DB(t)
	s.rdb, s.redisPfx = redistest.Client(t)
	pool, err := pgxpool.New(context.Background(), s.dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	s.pool = pool
	return s
}

// start runs fn as a process until the test ends or it is stopped.
func (s *stack) start(fn func(ctx context.Context) error) *proc {
	ctx, cancel := context.WithCancel(context.Background())
	p := &proc{cancel: cancel, done: make(chan struct{})}
	go func() {
		p.err = fn(ctx)
		close(p.done)
	}()
	s.t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
			if p.err != nil {
				s.t.Errorf("process failed: %v", p.err)
			}
		case <-time.After(waitFor):
			s.t.Error("process did not stop at cleanup")
		}
	})
	return p
}

func addrCh() (chan string, func(net.Addr)) {
	ch := make(chan string, 1)
	return ch, func(a net.Addr) { ch <- "http://" + a.String() }
}

func (s *stack) amqp() config.AMQP { return config.AMQP{URL: config.URL(s.amqpURL)} }
func (s *stack) redis() config.Redis {
	return config.Redis{URL: config.URL(redistest.URL()), Prefix: s.redisPfx}
}
func (s *stack) pg() config.Postgres { return config.Postgres{URL: config.URL(s.dbURL)} }
func (s *stack) wait(ch chan string) string {
	select {
	case a := <-ch:
		return a
	case <-time.After(waitFor):
		s.t.Fatal("process did not start listening")
	}
	return ""
}

// startConsumer runs a consumer; beforeAck may be nil.
func (s *stack) startConsumer(beforeAck func(context.Context)) *proc {
	ch, ready := addrCh()
	cfg := consumer.Config{
		AMQP: s.amqp(), Redis: s.redis(), Postgres: s.pg(), Topology: s.topo, MetricsAddr: "127.0.0.1:0",
		MaxBodyBytes: 64 << 10, BatchSize: 16, Linger: 2 * time.Millisecond, DedupTTL: time.Hour, AliasRefresh: 50 * time.Millisecond,
	}
	if s.consumerBatch > 0 { // production settings
		cfg.BatchSize, cfg.Linger, cfg.MaxBodyBytes = s.consumerBatch, consumer.DefaultLinger, message.DefaultMaxBodyBytes
	}
	cfg.ArchiveBatch, cfg.ArchiveLinger, cfg.ArchiveDuty = consumer.DefaultArchiveBatch, 20*time.Millisecond, s.archiveDuty
	cfg.PublicURL = s.webURL // empty when the web app is not started first
	if s.noArchive {
		cfg.Topology.ArchiveQueue = ""
	}
	s.consumerReg = prometheus.NewRegistry()
	reg := s.consumerReg
	p := s.start(func(ctx context.Context) error {
		return consumer.Run(ctx, cfg, consumer.Deps{Logger: s.logger, Registry: reg, Ready: ready, BeforeAck: beforeAck})
	})
	s.wait(ch)
	return p
}

// startWorker runs a worker; beforeAck may be nil.
func (s *stack) startWorker(beforeAck func(context.Context)) *proc {
	ch, ready := addrCh()
	reg := prometheus.NewRegistry()
	s.workerRegs = append(s.workerRegs, reg)
	p := s.start(func(ctx context.Context) error {
		return worker.Run(ctx, worker.Config{
			AMQP: s.amqp(), Postgres: s.pg(), Redis: s.redis(), Topology: s.topo, MetricsAddr: "127.0.0.1:0",
			Batch: config.Batch{Prefetch: 4, MaxBatch: 2, Linger: time.Millisecond},
		}, worker.Deps{Logger: s.logger, Registry: reg, Ready: ready, BeforeAck: beforeAck})
	})
	s.wait(ch)
	return p
}

// emailRetryDelays and ircRetryDelays are the backend's retry delays in these tests.
var (
	emailRetryDelays = []time.Duration{100 * time.Millisecond}
	ircRetryDelays   = []time.Duration{150 * time.Millisecond}
)

// startBackend runs a backend; beforeAck may be nil. It delivers email to s.mail if set, with
// mute links pointing at the web app (started first).
func (s *stack) startBackend(beforeAck func(context.Context)) *proc {
	ch, ready := addrCh()
	mch, mready := addrCh()
	cfg := backend.Config{
		AMQP: s.amqp(), Redis: s.redis(), Topology: s.topo, HTTPAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		SSESecret: sseSecret, Batch: config.Batch{Prefetch: 16, MaxBatch: 8, Linger: time.Millisecond}, Heartbeat: time.Second,
		MaxConnsPerUser: 4, StreamMaxLen: 100, StreamTTL: time.Hour,
	}
	if s.webURL != "" {
		cfg.SSEAllowedOrigins = []string{s.webURL}
	}
	if s.mail != nil {
		cfg.Postgres = s.pg()
		cfg.Email = backend.EmailConfig{
			SMTPAddr: s.mail.SMTPAddr, SMTPTLS: "none", SMTPUsername: "fmn", SMTPPassword: "any", SMTPTimeout: 10 * time.Second,
			From: "fmn <notifications@fmn.example.org>", PublicURL: s.webURL, MuteSecret: muteSecret,
			RetryDelays: emailRetryDelays, Batch: config.Batch{Prefetch: 8, MaxBatch: 4, Linger: time.Millisecond},
			DigestInterval: 50 * time.Millisecond,
		}
		s.deleteRetryQueues(backend.ChannelEmail, emailRetryDelays)
	}
	if s.irc != nil {
		cfg.Postgres = s.pg()
		cfg.IRC = backend.IRCConfig{
			Server: s.irc.Addr, Nick: "fmnbot", LineInterval: 10 * time.Millisecond, Burst: 4, LateAfter: time.Hour,
			RetryDelays: ircRetryDelays, LockPoll: 100 * time.Millisecond, Batch: config.Batch{Prefetch: 8, MaxBatch: 4, Linger: time.Millisecond},
		}
		s.deleteRetryQueues(backend.ChannelIRC, ircRetryDelays)
	}
	p := s.start(func(ctx context.Context) error {
		return backend.Run(ctx, cfg, backend.Deps{Logger: s.logger, Registry: prometheus.NewRegistry(), Ready: ready,
			MetricsReady: mready, BeforeAck: beforeAck})
	})
	s.backendURL, s.backendMetricsURL = s.wait(ch), s.wait(mch)
	return p
}

// startWeb runs a web app with the development login on; opts change its configuration.
func (s *stack) startWeb(opts ...func(*web.Config)) *proc {
	ch, ready := addrCh()
	mch, mready := addrCh()
	cfg := web.Config{
		AMQP: s.amqp(), Postgres: s.pg(), Redis: s.redis(), Topology: s.topo, HTTPAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		AdminToken: adminToken, SSESecret: sseSecret, MuteSecret: muteSecret, StreamURL: "http://unused/stream",
		StreamTokenTTL: time.Hour, RelayPoll: 200 * time.Millisecond, PublicURL: "http://127.0.0.1",
		DevLogin: true, SessionLifetime: time.Hour, SessionIdle: time.Hour, Admins: []string{"root"},
		Status: queuestatus.Config{Poll: time.Second}, Limits: web.DefaultLimits(),
	}
	if s.backendURL != "" {
		cfg.StreamURL = s.backendURL + "/stream"
	}
	if s.webAddr != "" {
		cfg.HTTPAddr, cfg.PublicURL = s.webAddr, "http://"+s.webAddr
	}
	for _, o := range opts {
		o(&cfg)
	}
	p := s.start(func(ctx context.Context) error {
		return web.Run(ctx, cfg, web.Deps{Logger: s.logger, Registry: prometheus.NewRegistry(), Ready: ready, MetricsReady: mready, Now: s.webClock})
	})
	s.webURL, s.webMetricsURL = s.wait(ch), s.wait(mch)
	return p
}

// deleteRetryQueues deletes a channel's delay queues at cleanup, after the processes stopped
// (rabbittest deletes only the queues of the topology it declared).
func (s *stack) deleteRetryQueues(channel string, delays []time.Duration) {
	t := s.topo.WithRetryDelays(channel, delays)
	s.t.Cleanup(func() {
		conn, err := amqp.Dial(s.amqpURL)
		require.NoError(s.t, err)
		defer conn.Close()
		ch, err := conn.Channel()
		require.NoError(s.t, err)
		for _, d := range delays {
			_, err := ch.QueueDelete(t.RetryQueue(channel, d), false, false, false)
			require.NoError(s.t, err)
		}
	})
}

// startAll runs one of each process.
func (s *stack) startAll() {
	s.startWeb()
	s.startBackend(nil)
	s.startWorker(nil)
	s.startConsumer(nil)
}

// api calls the web API and decodes the JSON answer into out (if not nil).
func (s *stack) api(method, path string, in, out any) int {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		require.NoError(s.t, err)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.webURL+path, body)
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		require.NoError(s.t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

// destinations returns user's destinations, through the API with the admin token.
func (s *stack) destinations(user string) []prefs.Destination {
	s.t.Helper()
	var out struct {
		Destinations []prefs.Destination `json:"destinations"`
	}
	require.Equal(s.t, http.StatusOK, s.api("GET", "/api/v1/users/"+user+"/destinations", nil, &out))
	return out.Destinations
}

// destination returns user's destination of kind and address (any address when empty).
func (s *stack) destination(user, kind, address string) prefs.Destination {
	s.t.Helper()
	for _, d := range s.destinations(user) {
		if d.Kind == kind && (address == "" || d.Address == address) {
			return d
		}
	}
	s.t.Fatalf("%s has no %s destination %q", user, kind, address)
	return prefs.Destination{}
}

// filters returns user's filters, through the API with the admin token.
func (s *stack) filters(user string) []rules.Filter {
	s.t.Helper()
	var out struct {
		Filters []rules.Filter `json:"filters"`
	}
	require.Equal(s.t, http.StatusOK, s.api("GET", "/api/v1/users/"+user+"/filters", nil, &out))
	return out.Filters
}

// userWithFilter creates a user whose SSE stream gets messages involving any of users.
func (s *stack) userWithFilter(name string, involved ...string) {
	s.t.Helper()
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": name}, nil))
	ds := s.destinations(name)
	require.Len(s.t, ds, 1)
	require.Equal(s.t, "sse", ds[0].Kind)
	filter := map[string]any{
		"name":         "involving " + strings.Join(involved, ","),
		"destinations": []int64{ds[0].ID},
		"conditions":   []map[string]any{{"field": "user", "op": "in", "values": involved}},
	}
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users/"+name+"/filters", filter, nil))
}

// waitWorkersCurrent waits until every worker matches with the database's preferences.
func (s *stack) waitWorkersCurrent() {
	s.t.Helper()
	want, err := pgstore.New(s.pool).Version(context.Background())
	require.NoError(s.t, err)
	require.Eventually(s.t, func() bool {
		for _, reg := range s.workerRegs {
			if gauge(s.t, reg, "fmn_worker_snapshot_version") < float64(want) {
				return false
			}
		}
		return true
	}, waitFor, 10*time.Millisecond, "workers never reached prefs version %d", want)
}

// subscribe opens user's SSE stream on the backend, from its current end.
func (s *stack) subscribe(ctx context.Context, user, lastEventID string) <-chan sse.ClientEvent {
	s.t.Helper()
	var tok struct {
		Token string `json:"token"`
	}
	require.Equal(s.t, http.StatusOK, s.api("POST", "/api/v1/users/"+user+"/stream-token", nil, &tok))
	ch, err := sse.Subscribe(ctx, s.backendURL+"/stream?token="+tok.Token, lastEventID)
	require.NoError(s.t, err)
	return ch
}

// publish sends a fedora-messaging message to the bus exchange, the way a producer does.
func (s *stack) publish(id, topic string, headers amqp.Table, body string) {
	s.t.Helper()
	s.publishRaw(amqp.Publishing{MessageId: id, ContentType: "application/json", Headers: headers, Body: []byte(body),
		DeliveryMode: amqp.Persistent}, topic)
}

func (s *stack) publishRaw(msg amqp.Publishing, key string) {
	s.t.Helper()
	require.Eventually(s.t, func() bool {
		conn, err := amqp.Dial(s.amqpURL)
		if err != nil {
			return false
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			return false
		}
		if err := ch.Confirm(false); err != nil {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, s.topo.BusExchange, key, false, false, msg)
		if err != nil {
			return false
		}
		ok, err := dc.WaitContext(ctx)
		return err == nil && ok
	}, waitFor, 50*time.Millisecond, "could not publish to the bus")
}

// userMessage publishes a message whose headers name users as involved.
func (s *stack) userMessage(id string, users ...string) {
	s.t.Helper()
	h := amqp.Table{"fedora_messaging_schema": "test", "fedora_messaging_severity": int32(20), "sent-at": time.Now().UTC().Format(time.RFC3339)}
	for _, u := range users {
		h["fedora_messaging_user_"+u] = true
	}
	s.publish(id, "org.fedoraproject.prod.bodhi.update.comment", h, fmt.Sprintf(`{"comment":{"text":"test %s"}}`, id))
}

// streamLen is how many events user's replay stream holds.
func (s *stack) streamLen(user string) int64 {
	s.t.Helper()
	n, err := s.rdb.XLen(context.Background(), s.redisPfx+"sse:{"+user+"}:stream").Result()
	require.NoError(s.t, err)
	return n
}

// next returns the next event or fails after waitFor.
func next(t *testing.T, ch <-chan sse.ClientEvent) sse.ClientEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "stream closed")
		return ev
	case <-time.After(waitFor):
		t.Fatal("no event in time")
	}
	return sse.ClientEvent{}
}

func messageID(t *testing.T, ev sse.ClientEvent) string {
	t.Helper()
	var p sse.Payload
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &p))
	return p.MessageID
}

// gauge reads a gauge (or counter) without labels from reg.
func gauge(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.Metric) == 0 {
			continue
		}
		m := mf.Metric[0]
		if m.Gauge != nil {
			return m.Gauge.GetValue()
		}
		return m.Counter.GetValue()
	}
	return -1
}

// testWriter sends logs to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// gate lets a test hold a process at its BeforeAck hook.
type gate struct {
	once    sync.Once
	reached chan struct{}
}

func newGate() *gate { return &gate{reached: make(chan struct{})} }

// hook blocks the first batch until the process's context ends; later batches pass.
func (g *gate) hook(ctx context.Context) {
	first := false
	g.once.Do(func() { first = true; close(g.reached) })
	if first {
		<-ctx.Done()
	}
}

// aliceListening runs one of each process, with alice, whose filter takes the messages that
// involve her, and returns her SSE stream, open until the test ends.
func aliceListening(t *testing.T) (*stack, <-chan sse.ClientEvent) {
	t.Helper()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	s.userWithFilter("alice", "@me")
	s.waitWorkersCurrent()
	return s, s.subscribe(t.Context(), "alice", "")
}
