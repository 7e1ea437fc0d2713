package backend

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/internal/config"
	"fmn/internal/deliveryretry"
	"fmn/internal/leader"
	"fmn/internal/ledger"
	"fmn/internal/lifecycle"
	"fmn/internal/notify/irc"
	"fmn/internal/rabbit"
	"fmn/internal/service"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// ChannelIRC is the notification channel (and routing key) of IRC.
const ChannelIRC = "irc"

// ircLockKey is the Postgres advisory lock of the IRC bot ("fmn-irc"): the backend replica that
// holds it is the only one connected to IRC and consuming the IRC queue.
const ircLockKey int64 = 0x666d6e2d697263

// IRC defaults.
const (
	DefaultIRCLineInterval = time.Second // one line a second on average…
	DefaultIRCBurst        = irc.DefaultBurst
	DefaultIRCLockPoll     = leader.DefaultPoll
	// DefaultIRCPrefetch and DefaultIRCBatch: IRC sends are paced, so batches stay small.
	DefaultIRCPrefetch = 8
	DefaultIRCBatch    = 4
	DefaultIRCLinger   = 5 * time.Millisecond
)

// IRCConfig configures IRC delivery.
type IRCConfig struct {
	// Server is the IRC server's host:port (FMN_IRC_SERVER); empty disables IRC delivery.
	Server string
	// Nick is the bot's nick (FMN_IRC_NICK, default fmn).
	Nick string
	// TLS connects over TLS (FMN_IRC_TLS, default true).
	TLS bool
	// SASLUser and SASLPassword log the bot in with SASL PLAIN when the user is set
	// (FMN_IRC_SASL_USER, FMN_IRC_SASL_PASSWORD or _FILE).
	SASLUser     string
	SASLPassword config.Secret
	// LineInterval and Burst pace every line the bot sends: one per interval on average, Burst
	// at once (FMN_IRC_LINE_INTERVAL, default 1s; FMN_IRC_BURST, default 4).
	LineInterval time.Duration
	Burst        int
	// LateAfter: notifications older than this get a "(delivered N minutes late)" note
	// (FMN_IRC_LATE_AFTER, default 5m).
	LateAfter time.Duration
	// RetryDelays are the waits before each retry of a temporary failure, a nick that is not
	// online among them (FMN_IRC_RETRY_DELAYS, default 1m,5m,30m,2h).
	RetryDelays []time.Duration
	// LockPoll is how often a standby replica tries the bot's lock and the holder checks it
	// (FMN_IRC_LOCK_POLL, default 5s).
	LockPoll time.Duration
	// Batch: IRC notification batches held unacked (FMN_IRC_PREFETCH, FMN_IRC_BATCH,
	// FMN_IRC_LINGER).
	Batch config.Batch
}

// Enabled reports whether IRC delivery is configured.
func (c IRCConfig) Enabled() bool { return c.Server != "" }

func readIRCConfig(r *config.Reader) IRCConfig {
	c := IRCConfig{
		Server:       r.String("FMN_IRC_SERVER", ""),
		Nick:         r.String("FMN_IRC_NICK", irc.DefaultNick),
		TLS:          r.Bool("FMN_IRC_TLS", true),
		SASLUser:     r.String("FMN_IRC_SASL_USER", ""),
		SASLPassword: r.Secret("FMN_IRC_SASL_PASSWORD", ""),
		LineInterval: r.Duration("FMN_IRC_LINE_INTERVAL", DefaultIRCLineInterval),
		Burst:        r.Int("FMN_IRC_BURST", DefaultIRCBurst),
		LateAfter:    r.Duration("FMN_IRC_LATE_AFTER", irc.DefaultLateAfter),
		RetryDelays:  r.Durations("FMN_IRC_RETRY_DELAYS", deliveryretry.IRC(), time.Millisecond),
		LockPoll:     r.Duration("FMN_IRC_LOCK_POLL", DefaultIRCLockPoll),
		Batch: config.ReadBatch(r, "FMN_IRC", config.Batch{
			Prefetch: DefaultIRCPrefetch, MaxBatch: DefaultIRCBatch, Linger: DefaultIRCLinger,
		}),
	}
	if !c.Enabled() {
		return c
	}
	if !prefs.ValidIRCNick(c.Nick) {
		r.Fail("FMN_IRC_NICK", "%q %s", c.Nick, prefs.IRCNickRule)
	}
	if c.SASLUser != "" && c.SASLPassword.Value() == "" {
		r.Fail("FMN_IRC_SASL_PASSWORD", "must be set when FMN_IRC_SASL_USER is set")
	}
	if c.LineInterval < 0 {
		r.Fail("FMN_IRC_LINE_INTERVAL", "must not be negative (0 disables pacing)")
	}
	if c.Burst < 1 {
		r.Fail("FMN_IRC_BURST", "must be at least 1")
	}
	if c.LockPoll <= 0 {
		r.Fail("FMN_IRC_LOCK_POLL", "must be positive")
	}
	if len(c.RetryDelays) == 0 {
		r.Fail("FMN_IRC_RETRY_DELAYS", "must name at least one delay")
	}
	return c
}

// ircDelivery is the IRC channel's share of a backend: an elector, and while this replica leads,
// the bot and the consumer of the IRC queue.
type ircDelivery struct {
	cfg     IRCConfig
	pool    *pgxpool.Pool
	ledger  *ledger.Ledger
	bot     *irc.Bot
	elector *leader.Elector
	logger  *slog.Logger
	deps    Deps
	m       *metrics
}

// openIRC connects the ledger and preferences store (refusing an out-of-date schema) and builds
// the bot and the elector. Nothing connects to IRC until this replica leads.
func openIRC(ctx context.Context, cfg Config, deps Deps, logger *slog.Logger, m *metrics) (*ircDelivery, error) {
	c := cfg.IRC
	pool, err := service.OpenDB(ctx, cfg.Postgres)
	if err != nil {
		return nil, err
	}
	var rate float64
	if c.LineInterval > 0 {
		rate = float64(time.Second) / float64(c.LineInterval)
	}
	bot, err := irc.New(irc.Config{
		Server: c.Server, Nick: c.Nick, TLS: c.TLS, SASLUser: c.SASLUser, SASLPassword: c.SASLPassword.Value(),
		Rate: rate, Burst: c.Burst, LateAfter: c.LateAfter,
	}, pgstore.New(pool), logger.With("channel", ChannelIRC), irc.WithClock(deps.Clock()))
	if err != nil {
		pool.Close()
		return nil, err
	}
	logger.InfoContext(ctx, "irc delivery enabled", "tls", c.TLS, "sasl", c.SASLUser != "",
		"line_interval", c.LineInterval, "burst", c.Burst, "retry_delays", fmt.Sprint(c.RetryDelays))
	return &ircDelivery{
		cfg: c, pool: pool, ledger: ledger.New(pool), bot: bot,
		elector: leader.New(string(cfg.Postgres.URL), ircLockKey, c.LockPoll, logger.With("lock", "irc")),
		logger:  logger, deps: deps, m: m,
	}, nil
}

// run takes part in the election and, while leading, keeps the bot connected and consumes the
// IRC queue once the bot first connects.
func (i *ircDelivery) run(conn *rabbit.Conn, pub *rabbit.Publisher, topo rabbit.Topology) func(context.Context) error {
	d := &deliverer{
		channel: ChannelIRC, topo: topo, delays: i.cfg.RetryDelays, notifier: i.bot, ledger: i.ledger,
		pub: pub, logger: i.logger, now: i.deps.Clock(), m: i.m, beforeAck: i.deps.BeforeAck,
	}
	consume := func(ctx context.Context) error {
		if err := i.bot.WaitConnected(ctx); err != nil {
			return nil // ctx ended
		}
		return conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
			Queue: topo.DeliverQueues[ChannelIRC], Prefetch: i.cfg.Batch.Prefetch, MaxBatch: i.cfg.Batch.MaxBatch, Linger: i.cfg.Batch.Linger,
		}, d.handle)
	}
	return func(ctx context.Context) error {
		return i.elector.Run(ctx, func(ctx context.Context) error {
			return lifecycle.Group(ctx, i.bot.Run, consume)
		})
	}
}

// check is the readiness of IRC delivery: a standby replica is ready; the leader is ready when
// its bot is connected.
func (i *ircDelivery) check(ctx context.Context) error {
	if !i.elector.Leader() {
		return nil
	}
	return i.bot.Check(ctx)
}

// close closes the database pool.
func (i *ircDelivery) close() { i.pool.Close() }
