package irc

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"fmn/internal/backoff"
	"fmn/internal/notify"
)

// Defaults.
const (
	DefaultNick         = "fmn"
	DefaultRate         = 1.0 // lines per second
	DefaultBurst        = 4
	DefaultLateAfter    = 5 * time.Minute
	DefaultReplyTimeout = 30 * time.Second
	DefaultQueue        = 64
)

// DefaultReconnect returns the bounds of the jittered waits between reconnection attempts.
func DefaultReconnect() backoff.Policy { return backoff.Policy{Min: time.Second, Max: 2 * time.Minute} }

// Config configures a Bot.
type Config struct {
	// Server is the IRC server's host:port.
	Server string
	// Nick is the bot's nick; User and Name its ident and real name (default: Nick).
	Nick, User, Name string
	// TLS connects over TLS; TLSConfig overrides the default (server name from Server).
	TLS       bool
	TLSConfig *tls.Config
	// SASLUser and SASLPassword log in with SASL PLAIN when SASLUser is set.
	SASLUser, SASLPassword string
	// Rate (lines a second) and Burst bound every outgoing line, notifications and replies alike.
	Rate  float64
	Burst int
	// LateAfter: a notification whose message was sent longer ago gets a "(delivered N minutes
	// late)" note.
	LateAfter time.Duration
	// ReplyTimeout bounds the wait for the server's verdict on one send.
	ReplyTimeout time.Duration
	// Reconnect bounds the waits between connection attempts.
	Reconnect backoff.Policy
	// Queue bounds the sends waiting for the owner goroutine.
	Queue int
}

// Bot is the IRC notifier: a notify.Notifier whose sends go through the goroutine running Run.
type Bot struct {
	cfg    Config
	host   string
	port   int
	cmds   Commands
	logger *slog.Logger
	now    func() time.Time
	after  func(time.Duration) <-chan time.Time

	reqs      chan *request
	connected atomic.Bool
	running   atomic.Bool

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when connected changes
}

var _ notify.Notifier = (*Bot)(nil)

// Option configures a Bot.
type Option func(*Bot)

// WithClock sets the clock of late notes and of the limiter (default time.Now).
func WithClock(now func() time.Time) Option { return func(b *Bot) { b.now = now } }

// WithAfter sets how the limiter waits (default time.After); tests count the waits.
func WithAfter(after func(time.Duration) <-chan time.Time) Option {
	return func(b *Bot) { b.after = after }
}

// New returns a bot; cmds may be nil (stop and start then answer that they are unavailable).
// Nothing connects until Run.
func New(cfg Config, cmds Commands, logger *slog.Logger, opts ...Option) (*Bot, error) {
	host, portS, err := net.SplitHostPort(cfg.Server)
	if err != nil {
		return nil, fmt.Errorf("irc server %q: %w", cfg.Server, err)
	}
	port, err := strconv.Atoi(portS)
	if err != nil || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("irc server %q: bad port", cfg.Server)
	}
	if cfg.Nick == "" {
		cfg.Nick = DefaultNick
	}
	if cfg.User == "" {
		cfg.User = cfg.Nick
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Nick
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = DefaultReplyTimeout
	}
	if cfg.Reconnect.Min <= 0 {
		cfg.Reconnect = DefaultReconnect()
	}
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	b := &Bot{cfg: cfg, host: host, port: port, cmds: cmds, logger: logger, now: time.Now, after: time.After,
		reqs: make(chan *request, cfg.Queue), changed: make(chan struct{})}
	for _, o := range opts {
		o(b)
	}
	return b, nil
}

// Check reports whether the bot is connected (readiness).
func (b *Bot) Check(context.Context) error {
	if !b.connected.Load() {
		return ErrDisconnected
	}
	return nil
}

// Connected reports whether the bot is connected and registered.
func (b *Bot) Connected() bool { return b.connected.Load() }

// WaitConnected waits until the bot is connected, or ctx ends.
func (b *Bot) WaitConnected(ctx context.Context) error {
	for {
		b.mu.Lock()
		ch := b.changed
		b.mu.Unlock()
		if b.connected.Load() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *Bot) setConnected(v bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.connected.Swap(v) != v {
		close(b.changed)
		b.changed = make(chan struct{})
	}
}
