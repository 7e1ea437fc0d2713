// Package rabbit is how every fmn process talks to RabbitMQ: the topology
// (Topology), one self-healing connection per process (Conn), publishing with
// publisher confirms (Publisher) and batched consuming with manual acks
// (Conn.ConsumeBatches).
//
// amqp091-go does not reconnect by itself (its experimental Config.Recovery is
// not used). Conn owns a goroutine that dials, runs Config.Setup, watches
// NotifyClose and redials with jittered exponential backoff until Close.
// Publishers and consumers built on a Conn reopen their channels on the new
// connection without being recreated.
package rabbit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	amqp "github.com/rabbitmq/amqp091-go"
)

const (
	// DefaultMinBackoff is the first reconnect delay: short, because most
	// disconnects (broker restart, failover, network blip) heal quickly.
	DefaultMinBackoff = 100 * time.Millisecond
	// DefaultMaxBackoff caps the reconnect delay so a process notices a
	// recovered broker within a few seconds without hammering a dead one.
	DefaultMaxBackoff = 5 * time.Second
	// dialTimeout bounds the TCP connect and the AMQP handshake of one
	// attempt; longer than that and the broker is as good as down.
	dialTimeout = 10 * time.Second
)

// ErrClosed is returned by operations on a Conn or Publisher after Close.
var ErrClosed = errors.New("rabbit: closed")

// Config is what a Conn needs from the user.
type Config struct {
	// URL is the broker URL, amqp://user:pass@host:port/vhost.
	URL string
	// Setup runs on a fresh channel after every (re)connect, before
	// consumers and publishers resume; typically Topology.Declare. The
	// connection is ready only once it returned nil; an error drops the
	// connection and the next attempt retries after the backoff.
	Setup func(ch *amqp.Channel) error
	// MinBackoff and MaxBackoff bound the jittered exponential reconnect
	// backoff; zero means DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// ConnectionName is shown in the management UI (client property
	// connection_name).
	ConnectionName string
}

// Deps holds a Conn's collaborators.
type Deps struct {
	// Logger receives connection state changes; nil discards them.
	Logger *slog.Logger
	// Registerer receives the fmn_rabbit_* metrics; nil registers nothing.
	// Each Conn registers its own collectors, so give every Conn its own
	// registerer (or wrap one with prometheus.WrapRegistererWith).
	Registerer prometheus.Registerer
}

// Conn is a self-healing connection to RabbitMQ. It is safe for concurrent
// use.
type Conn struct {
	cfg     Config
	logger  *slog.Logger
	metrics *metrics

	// done ends when Close is called; it bounds the run goroutine's dials
	// and sleeps.
	done   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // the run goroutine

	mu sync.Mutex
	// conn is the current connection once Setup succeeded on it, nil while
	// (re)connecting.
	conn *amqp.Connection
	// changed is closed and replaced whenever conn changes or Close is
	// called, to wake everyone waiting for a connection.
	changed chan struct{}
	closed  bool
}

// Dial validates cfg and returns a Conn at once; a goroutine owned by the
// Conn connects, and reconnects with backoff whenever the connection is lost,
// until Close. The error is only about an invalid cfg.
func Dial(cfg Config, deps Deps) (*Conn, error) {
	if _, err := amqp.ParseURI(cfg.URL); err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL, password included
		}
		return nil, fmt.Errorf("parse broker url: %w", err)
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		return nil, fmt.Errorf("max backoff %s is less than min backoff %s", cfg.MaxBackoff, cfg.MinBackoff)
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	done, cancel := context.WithCancel(context.Background())
	c := &Conn{
		cfg:     cfg,
		logger:  logger.With("component", "rabbit"),
		metrics: newMetrics(deps.Registerer),
		done:    done,
		cancel:  cancel,
		changed: make(chan struct{}),
	}
	c.wg.Go(c.run)
	return c, nil
}

// Ready reports whether the Conn is connected and Setup succeeded (for
// /readyz).
func (c *Conn) Ready() bool {
	conn, _, _ := c.state()
	return conn != nil
}

// WaitReady waits until the Conn is ready, ctx ends or the Conn is closed.
func (c *Conn) WaitReady(ctx context.Context) error {
	_, err := c.current(ctx)
	return err
}

// Close stops reconnecting, closes the connection (and with it every channel
// opened on it) and waits for the Conn's goroutine. It is idempotent.
func (c *Conn) Close() error {
	c.cancel()
	c.wg.Wait()
	return nil
}

// Channel opens a new channel on the current connection, waiting for a
// connection up to ctx. The caller closes the channel.
func (c *Conn) Channel(ctx context.Context) (*amqp.Channel, error) {
	for {
		conn, err := c.current(ctx)
		if err != nil {
			return nil, err
		}
		ch, err := conn.Channel()
		if err == nil {
			return ch, nil
		}
		if !conn.IsClosed() {
			return nil, fmt.Errorf("open channel: %w", err)
		}
		// The connection died under us; wait until run notices and replaces it.
		c.waitChange(ctx, conn)
	}
}

// QueueDepth returns the number of ready messages in queue (messages
// delivered to a consumer and not yet acked are not counted), with a passive
// declare on a short-lived channel. ctx bounds the wait for a connection; the
// declare itself is bounded by the connection's heartbeat. A queue that does
// not exist is an error wrapping the broker's 404.
func (c *Conn) QueueDepth(ctx context.Context, queue string) (int, error) {
	ch, err := c.Channel(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = ch.Close() }()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		return 0, fmt.Errorf("inspect queue %s: %w", queue, err)
	}
	return q.Messages, nil
}

// state returns the current connection (nil while not ready), the channel
// closed at its next change and whether the Conn is closed.
func (c *Conn) state() (*amqp.Connection, <-chan struct{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn, c.changed, c.closed
}

// current waits for a ready connection.
func (c *Conn) current(ctx context.Context) (*amqp.Connection, error) {
	for {
		conn, changed, closed := c.state()
		switch {
		case closed:
			return nil, ErrClosed
		case conn != nil:
			return conn, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for broker connection: %w", context.Cause(ctx))
		}
	}
}

// waitChange waits until the current connection is no longer old, or ctx
// ends, or the Conn closes.
func (c *Conn) waitChange(ctx context.Context, old *amqp.Connection) {
	conn, changed, closed := c.state()
	if conn != old || closed {
		return
	}
	select {
	case <-changed:
	case <-ctx.Done():
	}
}

// setConn publishes a new current connection (nil while reconnecting).
func (c *Conn) setConn(conn *amqp.Connection, closed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	c.closed = closed
	close(c.changed)
	c.changed = make(chan struct{})
	if conn != nil {
		c.metrics.up.Set(1)
	} else {
		c.metrics.up.Set(0)
	}
}

// run connects, waits for the connection to die and reconnects, until Close.
func (c *Conn) run() {
	defer c.setConn(nil, true)
	var (
		attempt   int
		connected bool // at least once, so later connections count as reconnects
		lastErr   string
	)
	for {
		conn, lost, err := c.connect()
		if err != nil {
			// Log a repeating failure only when it changes.
			level := slog.LevelDebug
			if msg := err.Error(); msg != lastErr {
				level, lastErr = slog.LevelWarn, msg
			}
			c.logger.Log(context.Background(), level, "connect to broker", "attempt", attempt+1, "error", err)
			if !c.sleep(c.backoff(attempt)) {
				return
			}
			attempt++
			continue
		}
		if connected {
			c.metrics.reconnects.Inc()
		}
		connected, attempt, lastErr = true, 0, ""
		c.logger.Info("connected to broker", "connection_name", c.cfg.ConnectionName)
		c.setConn(conn, false)
		if !c.watch(conn, lost) {
			return
		}
		if !c.sleep(c.backoff(0)) {
			return
		}
	}
}

// watch waits until conn is lost (true) or Close is called (false), logging
// when the broker blocks and unblocks it (resource alarms: publishes stall).
func (c *Conn) watch(conn *amqp.Connection, lost <-chan *amqp.Error) bool {
	blocked := conn.NotifyBlocked(make(chan amqp.Blocking, 1))
	for {
		select {
		case <-c.done.Done():
			c.setConn(nil, true)
			if err := conn.Close(); err != nil && !errors.Is(err, amqp.ErrClosed) {
				c.logger.Warn("close broker connection", "error", err)
			}
			return false
		case err := <-lost:
			c.setConn(nil, false)
			c.logger.Warn("broker connection lost", "error", err)
			return true
		case b, ok := <-blocked:
			switch {
			case !ok:
				blocked = nil // closed with the connection; lost tells why
			case b.Active:
				c.logger.Warn("broker blocked the connection", "reason", b.Reason)
			default:
				c.logger.Info("broker unblocked the connection")
			}
		}
	}
}

// connect dials and runs Setup. lost receives the reason the connection
// closed (or is closed without one).
func (c *Conn) connect() (conn *amqp.Connection, lost <-chan *amqp.Error, err error) {
	props := amqp.NewConnectionProperties()
	if c.cfg.ConnectionName != "" {
		props.SetClientConnectionName(c.cfg.ConnectionName)
	}
	conn, err = amqp.DialConfig(c.cfg.URL, amqp.Config{
		Properties: props,
		Dial:       c.dial,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("dial: %w", err)
	}
	// Registered before Setup so a loss during Setup is not missed; buffered
	// because amqp091-go hands the error over without waiting for us.
	lost = conn.NotifyClose(make(chan *amqp.Error, 1))
	if c.cfg.Setup != nil {
		if err := c.setup(conn); err != nil {
			_ = conn.Close()
			return nil, nil, err
		}
	}
	return conn, lost, nil
}

// dial opens the TCP connection of one attempt; Close aborts it.
func (c *Conn) dial(network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(c.done, dialTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	// Heartbeats start only after the handshake; amqp091-go clears this
	// deadline once the connection is open.
	if err := nc.SetDeadline(time.Now().Add(dialTimeout)); err != nil {
		_ = nc.Close()
		return nil, err
	}
	return nc, nil
}

func (c *Conn) setup(conn *amqp.Connection) error {
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("open setup channel: %w", err)
	}
	if err := c.cfg.Setup(ch); err != nil {
		_ = ch.Close()
		return fmt.Errorf("setup: %w", err)
	}
	if err := ch.Close(); err != nil {
		return fmt.Errorf("close setup channel: %w", err)
	}
	return nil
}

// backoff returns the delay before retry number attempt (from 0): an
// exponentially growing cap between MinBackoff and MaxBackoff, with "equal
// jitter" (half fixed, half random) so replicas do not reconnect in lockstep.
func (c *Conn) backoff(attempt int) time.Duration {
	d := c.cfg.MinBackoff << min(attempt, 30)
	if d <= 0 || d > c.cfg.MaxBackoff {
		d = c.cfg.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d and reports false if Close was called meanwhile.
func (c *Conn) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.done.Done():
		return false
	}
}

// metrics are the fmn_rabbit_* collectors of one Conn and its publishers.
type metrics struct {
	up         prometheus.Gauge
	reconnects prometheus.Counter
	published  *prometheus.CounterVec
	publishDur prometheus.Histogram
}

// Publish outcomes, the values of the outcome label.
const (
	outcomeConfirmed = "confirmed"
	outcomeNacked    = "nacked"
	outcomeReturned  = "returned"
	outcomeError     = "error"
)

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		up: f.NewGauge(prometheus.GaugeOpts{
			Name: "fmn_rabbit_connection_up",
			Help: "Whether the broker connection is up and set up (1) or not (0).",
		}),
		reconnects: f.NewCounter(prometheus.CounterOpts{
			Name: "fmn_rabbit_reconnects_total",
			Help: "Broker connections re-established after the previous one was lost.",
		}),
		published: f.NewCounterVec(prometheus.CounterOpts{
			Name: "fmn_rabbit_published_messages_total",
			Help: "Messages published, by outcome: confirmed, nacked, returned (unroutable) or error (no confirm: channel or connection lost, context ended).",
		}, []string{"outcome"}),
		publishDur: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "fmn_rabbit_publish_duration_seconds",
			Help:    "Time from the start of a Publish call until all its messages were confirmed or it failed.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16), // 0.5ms .. ~16s
		}),
	}
	for _, o := range []string{outcomeConfirmed, outcomeNacked, outcomeReturned, outcomeError} {
		m.published.WithLabelValues(o)
	}
	return m
}
