package backend_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/backend"
	"fmn/internal/config"
	"fmn/internal/deadletter/letter"
	"fmn/internal/ledger"
	"fmn/internal/notify/email"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/testkit/redistest"
	"fmn/internal/wire"
	"fmn/migrations"
)

const (
	sseSecret  = "test-sse-secret-0123456789abcdef0123456789"
	muteSecret = "test-mute-secret-0123456789abcdef012345"
	// waitFor bounds every wait on a condition.
	waitFor = 30 * time.Second
)

// testDelays are short retry delays: tests wait on outcomes, never on these.
var testDelays = []time.Duration{50 * time.Millisecond, 100 * time.Millisecond}

type emailBundle struct {
	topo    rabbit.Topology
	ch      *amqp.Channel
	ledger  *ledger.Ledger
	reg     *prometheus.Registry
	httpURL string
	cfg     backend.Config
}

// setupEmail runs a backend delivering email to smtpAddr, on a private topology and database.
func setupEmail(t *testing.T, smtpAddr string) *emailBundle {
	t.Helper()
	b := newEmailBundle(t, smtpAddr)
	b.httpURL = runBackend(t, b.cfg, b.reg, nil)
	return b
}

// newEmailBundle prepares a topology, database and config for backends delivering email to
// smtpAddr, without starting one.
func newEmailBundle(t *testing.T, smtpAddr string) *emailBundle {
	t.Helper()
	url := rabbittest.URL(t)
	base := rabbittest.Topology(t, url)
	withRetries := base.WithRetryDelays(backend.ChannelEmail, testDelays)
	conn, err := amqp.Dial(url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	t.Cleanup(func() { // after the backend stopped (cleanups run last-in first-out)
		ch, err := conn.Channel()
		require.NoError(t, err)
		for _, d := range testDelays {
			_, err := ch.QueueDelete(withRetries.RetryQueue(backend.ChannelEmail, d), false, false, false)
			require.NoError(t, err)
		}
	})
	ch, err := conn.Channel()
	require.NoError(t, err)

	dbURL := pgtest.DB(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, redisPrefix := redistest.Client(t)

	b := &emailBundle{topo: base, ch: ch, ledger: ledger.New(pool), reg: prometheus.NewPedanticRegistry()}
	b.cfg = backendConfig(url, base, dbURL, redisPrefix, smtpAddr)
	return b
}

func backendConfig(amqpURL string, topo rabbit.Topology, dbURL, redisPrefix, smtpAddr string) backend.Config {
	return backend.Config{
		AMQP: config.AMQP{URL: config.URL(amqpURL)}, Redis: config.Redis{URL: config.URL(redistest.URL()), Prefix: redisPrefix},
		Postgres: config.Postgres{URL: config.URL(dbURL)}, Topology: topo, HTTPAddr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0",
		SSESecret: sseSecret, Batch: config.Batch{Prefetch: 16, MaxBatch: 8, Linger: time.Millisecond}, Heartbeat: time.Second,
		MaxConnsPerUser: 4, StreamMaxLen: 100, StreamTTL: time.Hour,
		Email: backend.EmailConfig{
			SMTPAddr: smtpAddr, SMTPTLS: email.TLSNone, SMTPTimeout: 10 * time.Second,
			From: "Fedora Notifications <notifications@fmn.example.org>", PublicURL: "https://fmn.example.org",
			MuteSecret: muteSecret, RetryDelays: testDelays,
			Batch: config.Batch{Prefetch: 8, MaxBatch: 4, Linger: time.Millisecond},
		},
	}
}

// runBackend runs a backend until the test ends and returns its HTTP base URL. beforeAck, if
// set, gets the backend's cancel func and the settle context (see service.Deps.BeforeAck).
func runBackend(t *testing.T, cfg backend.Config, reg *prometheus.Registry, beforeAck func(stop context.CancelFunc, ctx context.Context)) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	deps := backend.Deps{Logger: logger, Registry: reg, Ready: func(a net.Addr) { ready <- "http://" + a.String() }}
	if beforeAck != nil {
		deps.BeforeAck = func(ctx context.Context) { beforeAck(cancel, ctx) }
	}
	go func() { done <- backend.Run(ctx, cfg, deps) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(waitFor):
			t.Error("backend did not stop")
		}
	})
	select {
	case u := <-ready:
		return u
	case err := <-done:
		t.Fatalf("backend exited: %v", err)
	case <-time.After(waitFor):
		t.Fatal("backend did not start listening")
	}
	return ""
}

func notification(msgID, user string, dest int64) wire.Notification {
	return wire.Notification{
		ID: wire.NotificationID(msgID, user, dest), MessageID: msgID, User: user,
		Destination: wire.Destination{ID: dest, Kind: "email", Address: user + "@example.org", Format: "short"},
		Filters:     []wire.FilterRef{{ID: 1, Name: "everything"}},
		Topic:       "org.fedoraproject.prod.buildsys.build.state.change", Summary: "a build of " + user + "'s package",
		MatchedAt: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
	}
}

// publish sends one notification batch to the email queue, as a worker does.
func (b *emailBundle) publish(t *testing.T, ns ...wire.Notification) {
	t.Helper()
	body, err := wire.Encode(&wire.NotificationBatch{Channel: backend.ChannelEmail, Notifications: ns})
	require.NoError(t, err)
	require.NoError(t, b.ch.PublishWithContext(t.Context(), b.topo.NotificationsExchange, backend.ChannelEmail, true, false,
		amqp.Publishing{ContentType: wire.ContentType, Type: wire.TypeNotifications, DeliveryMode: amqp.Persistent, Body: body}))
}

// count reads fmn_backend_deliveries_total{channel="email", outcome}.
func (b *emailBundle) count(t *testing.T, outcome string) float64 {
	t.Helper()
	mfs, err := b.reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != "fmn_backend_deliveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["channel"] == "email" && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// waitCount waits until the outcome's counter reaches n.
func (b *emailBundle) waitCount(t *testing.T, outcome string, n float64) {
	t.Helper()
	waitUntil(t, func() bool { return b.count(t, outcome) >= n }, "deliveries outcome "+outcome)
}

// deadLetters consumes the dead-letter queue.
func (b *emailBundle) deadLetters(t *testing.T) <-chan amqp.Delivery {
	t.Helper()
	ds, err := b.ch.ConsumeWithContext(t.Context(), b.topo.DeadLetterQueue, "", true, false, false, false, nil)
	require.NoError(t, err)
	return ds
}

func nextDeadLetter(t *testing.T, ds <-chan amqp.Delivery) amqp.Delivery {
	t.Helper()
	select {
	case d := <-ds:
		return d
	case <-time.After(waitFor):
		t.Fatal("no dead letter")
	}
	return amqp.Delivery{}
}

// waitUntil polls cond until it holds, failing the test after waitFor.
func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", waitFor, what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval of a wait with a deadline
	}
}

// A 4xx is retried through a delay queue; the retry is sent once and recorded; the same
// notification delivered again is dropped without a send.
func TestEmailTemporaryFailureIsRetriedAndSentOnce(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, func(_ string, n int) error {
		if n == 0 {
			return mailtest.Reply(451, "greylisted, try again later")
		}
		return nil
	})
	b := setupEmail(t, fake.Addr)
	n := notification("msg-1", "alice", 1)
	b.publish(t, n)

	b.waitCount(t, "sent", 1)
	e, err := b.ledger.Get(t.Context(), n.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusSent, e.Status)
	require.Equal(t, 2, e.Attempts)
	require.Len(t, fake.Received(), 1)
	require.Equal(t, []string{"alice@example.org"}, fake.Received()[0].To)
	require.Equal(t, float64(1), b.count(t, "retried"))

	// A redelivery (a worker's repeat, a lost ack) of a sent notification is not sent again.
	b.publish(t, n)
	b.waitCount(t, "deduped", 1)
	rcpts, _ := fake.Counts()
	require.Equal(t, 2, rcpts, "no further SMTP transaction")
	require.Len(t, fake.Received(), 1)
	require.Equal(t, float64(1), b.count(t, "sent"))
}

// A 5xx dead-letters that notification alone, with the reason and a ledger row, and is not
// retried; the other notification of the same batch is delivered.
func TestEmailPermanentFailureDeadLettersOnlyThatNotification(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, func(to string, _ int) error {
		if strings.HasPrefix(to, "bob@") {
			return mailtest.Reply(550, "5.1.1 mailbox unavailable")
		}
		return nil
	})
	b := setupEmail(t, fake.Addr)
	dead := b.deadLetters(t)
	bob, alice := notification("msg-2", "bob", 2), notification("msg-2", "alice", 1)
	b.publish(t, bob, alice)

	d := nextDeadLetter(t, dead)
	require.Equal(t, "backend-email", d.Headers[letter.HeaderStage])
	require.Contains(t, d.Headers[letter.HeaderReason], "550")
	require.Contains(t, d.Headers[letter.HeaderReason], "permanent")
	nb, err := wire.DecodeNotifications(d.Body)
	require.NoError(t, err)
	require.Len(t, nb.Notifications, 1, "the dead letter holds only the failed notification")
	require.Equal(t, bob.ID, nb.Notifications[0].ID)

	b.waitCount(t, "sent", 1)
	var e ledger.Entry
	waitUntil(t, func() bool { // written with the dead letter, before the ack
		e, err = b.ledger.Get(t.Context(), bob.ID)
		return err == nil
	}, "bob's ledger row")
	require.Equal(t, ledger.StatusFailedPermanent, e.Status)
	require.Equal(t, 1, e.Attempts)
	require.Contains(t, e.LastError, "550")
	e, err = b.ledger.Get(t.Context(), alice.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusSent, e.Status)

	require.Equal(t, float64(1), b.count(t, "failed_permanent"))
	require.Zero(t, b.count(t, "retried"), "a permanent failure is never retried")
	rcpts, _ := fake.Counts()
	require.Equal(t, 2, rcpts)
}

// Temporary failures that outlast every delay end as a dead letter and a dead ledger row.
func TestEmailGivesUpAfterTheLastRetry(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, func(string, int) error { return mailtest.Reply(421, "service not available") })
	b := setupEmail(t, fake.Addr)
	dead := b.deadLetters(t)
	n := notification("msg-3", "carol", 3)
	b.publish(t, n)

	d := nextDeadLetter(t, dead)
	require.Contains(t, d.Headers[letter.HeaderReason], "gave up after 3 attempts")
	require.EqualValues(t, 2, d.Headers[backend.HeaderAttempt])
	waitUntil(t, func() bool {
		e, err := b.ledger.Get(t.Context(), n.ID)
		return err == nil && e.Status == ledger.StatusDead && e.Attempts == 3
	}, "a dead ledger row")
	require.Equal(t, float64(2), b.count(t, "retried"))
	require.Equal(t, float64(1), b.count(t, "dead"))
	rcpts, _ := fake.Counts()
	require.Equal(t, 3, rcpts)
	require.Empty(t, fake.Received())
}

// Readiness covers the database and the SMTP connection when email is enabled.
func TestEmailReadiness(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, nil)
	b := setupEmail(t, fake.Addr)
	var body string
	waitUntil(t, func() bool {
		resp, err := http.Get(b.httpURL + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		body = string(raw)
		return resp.StatusCode == http.StatusOK
	}, "ready")
	require.Contains(t, body, "smtp: ok")
	require.Contains(t, body, "database: ok")
}

// A backend with email enabled refuses a database whose schema is not current.
func TestEmailRefusesOutdatedSchema(t *testing.T) {
	t.Parallel()
	url := rabbittest.URL(t)
	topo := rabbittest.Topology(t, url)
	dbURL := pgtest.DB(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	require.NoError(t, err)
	defer pool.Close()
	_, err = pool.Exec(context.Background(), "DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)")
	require.NoError(t, err)
	_, redisPrefix := redistest.Client(t)
	cfg := backendConfig(url, topo, dbURL, redisPrefix, "127.0.0.1:1")
	err = backend.Run(t.Context(), cfg, backend.Deps{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
	require.True(t, errors.Is(err, migrations.ErrOutOfDate), "got %v", err)
}

// A backend that stops after sending and recording but before acking (the broker redelivers)
// does not make the next backend send again: the ledger dedupes the redelivery.
func TestEmailRedeliveryAfterAStopBeforeAckIsNotSentAgain(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, nil)
	b := newEmailBundle(t, fake.Addr)
	stopped := make(chan struct{})
	var once sync.Once
	runBackend(t, b.cfg, prometheus.NewPedanticRegistry(), func(stop context.CancelFunc, _ context.Context) {
		once.Do(func() { stop(); close(stopped) })
	})
	n := notification("msg-4", "dave", 4)
	b.publish(t, n)
	select {
	case <-stopped:
	case <-time.After(waitFor):
		t.Fatal("the first backend never settled")
	}
	require.Len(t, fake.Received(), 1, "sent before the stop")
	e, err := b.ledger.Get(t.Context(), n.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.StatusSent, e.Status)

	runBackend(t, b.cfg, b.reg, nil) // gets the unacked notification again
	b.waitCount(t, "deduped", 1)
	require.Len(t, fake.Received(), 1, "not sent again")
	require.Zero(t, b.count(t, "sent"))
}

// When the server cannot be reached, the rest of a batch is not tried one timeout at a time: it
// goes to the delay queue at once, and every notification still ends as a dead letter.
func TestEmailUnreachableServerFailsTheBatchFast(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepts atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			_ = c.Close() // no greeting: the connection fails
		}
	}()
	t.Cleanup(func() { _ = l.Close() })
	b := setupEmail(t, l.Addr().String())
	b.publish(t, notification("msg-5", "erin", 5), notification("msg-5", "frank", 6), notification("msg-5", "grace", 7))
	b.waitCount(t, "dead", 3)
	require.Equal(t, float64(6), b.count(t, "retried"), "two retries each (two delays)")
	// Without the shortcut, 3 notifications × 3 rounds would connect 9 times; with it, the first
	// round (one batch) connects once, and each later round, whose retries arrive in 1 to 3
	// batches, at most once per batch.
	require.LessOrEqual(t, accepts.Load(), int32(7))
	require.Zero(t, b.count(t, "sent"))
}

// An undecodable message on the email queue is dead-lettered with the reason; the next one is
// delivered.
func TestEmailMalformedBatchIsDeadLettered(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, nil)
	b := setupEmail(t, fake.Addr)
	dead := b.deadLetters(t)
	require.NoError(t, b.ch.PublishWithContext(t.Context(), b.topo.NotificationsExchange, backend.ChannelEmail, true, false,
		amqp.Publishing{MessageId: "garbage", Body: []byte("not json")}))
	b.publish(t, notification("msg-6", "heidi", 8))

	d := nextDeadLetter(t, dead)
	require.Equal(t, "garbage", d.MessageId)
	require.Equal(t, "backend-email", d.Headers[letter.HeaderStage])
	require.Contains(t, d.Headers[letter.HeaderReason], "decode notification batch")
	b.waitCount(t, "sent", 1)
	require.Len(t, fake.Received(), 1)
}

// A confirmation to a destination that collects digests is sent at once, never held for a
// digest; a resend (a new notification id) is sent again.
func TestEmailConfirmationIsNeverDigested(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, nil)
	b := setupEmail(t, fake.Addr)
	n := notification("confirm:1", "alice", 1)
	n.Kind, n.ConfirmURL, n.Filters = wire.KindConfirmation, "https://fmn.example.org/confirm/secret", nil
	n.Destination.DigestMaxCount, n.Destination.DigestMaxDelay = 100, time.Hour
	b.publish(t, n)
	b.waitCount(t, "sent", 1)
	require.Len(t, fake.Received(), 1)
	again := n
	again.ID = wire.NotificationID("confirm:2", "alice", 1)
	b.publish(t, again)
	b.waitCount(t, "sent", 2)
	require.Len(t, fake.Received(), 2)
}

// A destination flooded past its limit gets the first notifications of the window by email and
// the rest in one digest, never thousands of separate emails; each is recorded once.
func TestEmailFloodGoesIntoOneDigest(t *testing.T) {
	t.Parallel()
	fake := mailtest.NewFake(t, nil)
	b := newEmailBundle(t, fake.Addr)
	b.cfg.Email.FloodLimit, b.cfg.Email.FloodWindow, b.cfg.Email.FloodDigestDelay = 3, time.Hour, 200*time.Millisecond
	b.cfg.Email.DigestInterval = 50 * time.Millisecond
	b.httpURL = runBackend(t, b.cfg, b.reg, nil)

	var ns []wire.Notification
	for i := range 10 {
		ns = append(ns, notification(fmt.Sprintf("rebuild-%d", i), "alice", 1))
	}
	other := notification("rebuild-0", "bob", 2) // another destination is not held back
	b.publish(t, append(ns, other)...)
	b.waitCount(t, "sent", 11)
	waitUntil(t, func() bool { return len(fake.Received()) >= 5 }, "three emails and a digest for alice, one email for bob")
	var digests, single int
	for _, r := range fake.Received() {
		switch {
		case strings.Contains(string(r.Data), "fmn digest: 7 notifications"):
			digests++
		case strings.Contains(string(r.Data), "Subject: fmn digest"):
			t.Fatalf("unexpected digest:\n%s", r.Data)
		default:
			single++
		}
	}
	require.Equal(t, 1, digests, "the seven over the limit went out together")
	require.Equal(t, 4, single, "three for alice, one for bob")
	require.Equal(t, 7.0, floodedCount(t, b.reg))
}

// floodedCount reads fmn_backend_flood_digested_total{channel="email"}.
func floodedCount(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == "fmn_backend_flood_digested_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}
