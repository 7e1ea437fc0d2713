package backend

import (
	"context"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"fmn/internal/config"
	"fmn/internal/deliveryretry"
	"fmn/internal/digest"
	"fmn/internal/ledger"
	"fmn/internal/mutetoken"
	"fmn/internal/notify/email"
	"fmn/internal/rabbit"
	"fmn/internal/ratelimit"
	"fmn/internal/service"
	"fmn/internal/wire"
)

// ChannelEmail is the notification channel (and routing key) of email.
const ChannelEmail = "email"

// Email defaults.
const (
	// DefaultSMTPTLS requires STARTTLS: credentials and addresses never cross a network in the
	// clear unless an operator says so (none, for a local relay).
	DefaultSMTPTLS = email.TLSStartTLS
	// DefaultEmailPrefetch and DefaultEmailBatch: notification batches held unacked and handled
	// together. Sends are sequential on one SMTP connection, so batches stay small.
	DefaultEmailPrefetch = 16
	DefaultEmailBatch    = 8
	DefaultEmailLinger   = 5 * time.Millisecond
	// DefaultFloodLimit, DefaultFloodWindow and DefaultFloodDigestDelay: at most 20 emails per
	// destination in 10 minutes; the rest wait 30 minutes for one digest.
	DefaultFloodLimit       = 20
	DefaultFloodWindow      = 10 * time.Minute
	DefaultFloodDigestDelay = 30 * time.Minute
)

// EmailConfig configures email delivery.
type EmailConfig struct {
	// SMTPAddr is the SMTP server's host:port (FMN_SMTP_ADDR); empty disables email delivery.
	SMTPAddr string
	// SMTPUsername and SMTPPassword authenticate when the username is set (FMN_SMTP_USERNAME,
	// FMN_SMTP_PASSWORD or _FILE).
	SMTPUsername string
	SMTPPassword config.Secret
	// SMTPTLS is none, starttls or tls (FMN_SMTP_TLS, default starttls).
	SMTPTLS string
	// SMTPTimeout bounds one send and one connect (FMN_SMTP_TIMEOUT, default 30s).
	SMTPTimeout time.Duration
	// From is the sender address (FMN_MAIL_FROM), e.g. "Fedora Notifications <notifications@fedoraproject.org>".
	From string
	// PublicURL is the web app's public base URL, for mute and settings links (FMN_PUBLIC_URL).
	PublicURL string
	// MuteSecret signs the one-click mute links; shared with the web app, at least 32 bytes
	// (FMN_MUTE_SECRET or _FILE).
	MuteSecret config.Secret
	// RetryDelays are the waits before each retry of a temporary failure; the last attempt is
	// number len+1 (FMN_EMAIL_RETRY_DELAYS, comma-separated, default 10s,1m,5m,30m). Each delay
	// has its own delay queue, named after it.
	RetryDelays []time.Duration
	// DigestInterval is how often due digests are looked for (FMN_DIGEST_INTERVAL, default
	// digest.DefaultInterval).
	DigestInterval time.Duration
	// Batch: email notification batches held unacked and handled together (FMN_EMAIL_PREFETCH,
	// FMN_EMAIL_BATCH, FMN_EMAIL_LINGER).
	Batch config.Batch
	// FloodLimit is how many notifications a destination without digest settings gets by email
	// per FloodWindow; the rest of the window's go into a digest sent FloodDigestDelay after the
	// first of them, so that a mass rebuild sends a digest rather than thousands of emails
	// (FMN_EMAIL_FLOOD_LIMIT, default 20, 0 for no limit; FMN_EMAIL_FLOOD_WINDOW, default 10m;
	// FMN_EMAIL_FLOOD_DIGEST_DELAY, default 30m).
	FloodLimit       int
	FloodWindow      time.Duration
	FloodDigestDelay time.Duration
}

// Enabled reports whether email delivery is configured.
func (c EmailConfig) Enabled() bool { return c.SMTPAddr != "" }

func readEmailConfig(r *config.Reader) EmailConfig {
	c := EmailConfig{
		SMTPAddr:       r.String("FMN_SMTP_ADDR", ""),
		SMTPUsername:   r.String("FMN_SMTP_USERNAME", ""),
		SMTPPassword:   r.Secret("FMN_SMTP_PASSWORD", ""),
		SMTPTLS:        r.String("FMN_SMTP_TLS", DefaultSMTPTLS),
		SMTPTimeout:    r.Duration("FMN_SMTP_TIMEOUT", email.DefaultTimeout),
		From:           r.String("FMN_MAIL_FROM", ""),
		PublicURL:      r.String("FMN_PUBLIC_URL", ""),
		MuteSecret:     r.Secret("FMN_MUTE_SECRET", ""),
		RetryDelays:    r.Durations("FMN_EMAIL_RETRY_DELAYS", deliveryretry.Email(), time.Millisecond),
		DigestInterval: r.Duration("FMN_DIGEST_INTERVAL", digest.DefaultInterval),
		Batch: config.ReadBatch(r, "FMN_EMAIL", config.Batch{
			Prefetch: DefaultEmailPrefetch, MaxBatch: DefaultEmailBatch, Linger: DefaultEmailLinger,
		}),
		FloodLimit:       r.Int("FMN_EMAIL_FLOOD_LIMIT", DefaultFloodLimit),
		FloodWindow:      r.Duration("FMN_EMAIL_FLOOD_WINDOW", DefaultFloodWindow),
		FloodDigestDelay: r.Duration("FMN_EMAIL_FLOOD_DIGEST_DELAY", DefaultFloodDigestDelay),
	}
	if !c.Enabled() {
		return c
	}
	switch c.SMTPTLS {
	case email.TLSNone, email.TLSStartTLS, email.TLSImplicit:
	default:
		r.Fail("FMN_SMTP_TLS", "%q is not one of none, starttls, tls", c.SMTPTLS)
	}
	if _, err := netmail.ParseAddress(c.From); err != nil {
		r.Fail("FMN_MAIL_FROM", "must be set to a mail address when FMN_SMTP_ADDR is set")
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.Fail("FMN_PUBLIC_URL", "must be the web app's http(s) base URL when FMN_SMTP_ADDR is set")
	}
	if c.MuteSecret.Value() == "" { // LoadConfig checks its strength with the backend's other secrets
		r.Fail("FMN_MUTE_SECRET", "must be set when FMN_SMTP_ADDR is set (shared with the web app); %s", config.GenerateHint)
	}
	if len(c.RetryDelays) == 0 {
		r.Fail("FMN_EMAIL_RETRY_DELAYS", "must name at least one delay")
	}
	return c
}

// emailDelivery is the email channel's share of a backend.
type emailDelivery struct {
	cfg      EmailConfig
	pool     *pgxpool.Pool
	ledger   *ledger.Ledger
	notifier *email.Notifier
	renderer *email.Renderer
	sender   *email.Sender
	digests  *digest.Store
	flood    *ratelimit.Limiter
	logger   *slog.Logger
	deps     Deps
	m        *metrics
}

// openEmail connects the ledger (refusing an out-of-date schema) and builds the notifier. The
// SMTP connection is opened by the first send or readiness check.
func openEmail(ctx context.Context, cfg Config, deps Deps, logger *slog.Logger, m *metrics, rdb *redis.Client) (*emailDelivery, error) {
	c := cfg.Email
	mute, err := mutetoken.NewSigner([]byte(c.MuteSecret.Value()))
	if err != nil {
		return nil, fmt.Errorf("mute tokens: %w", err)
	}
	from, err := netmail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("mail from: %w", err)
	}
	domain := "fmn.invalid"
	if i := strings.LastIndex(from.Address, "@"); i >= 0 {
		domain = from.Address[i+1:]
	}
	sender, err := email.NewSender(email.SenderConfig{
		Addr: c.SMTPAddr, Username: c.SMTPUsername, Password: c.SMTPPassword.Value(), TLS: c.SMTPTLS,
		From: c.From, Timeout: c.SMTPTimeout,
	}, deps.Clock())
	if err != nil {
		return nil, err
	}
	renderer := email.NewRenderer(email.RenderConfig{PublicURL: c.PublicURL, MessageIDDomain: domain, Mute: mute})

	pool, err := service.OpenDB(ctx, cfg.Postgres)
	if err != nil {
		return nil, err
	}
	logger.InfoContext(ctx, "email delivery enabled", "smtp_tls", c.SMTPTLS, "retry_delays", fmt.Sprint(c.RetryDelays))
	return &emailDelivery{
		cfg: c, pool: pool, ledger: ledger.New(pool), notifier: email.NewNotifier(renderer, sender),
		renderer: renderer, sender: sender, digests: digest.NewStore(pool),
		flood: ratelimit.New(rdb, cfg.Redis.Prefix, c.FloodLimit, c.FloodWindow), logger: logger, deps: deps, m: m,
	}, nil
}

// consume returns the loop that delivers the email queue.
func (e *emailDelivery) consume(conn *rabbit.Conn, pub *rabbit.Publisher, topo rabbit.Topology) func(context.Context) error {
	d := &deliverer{
		channel: ChannelEmail, topo: topo, delays: e.cfg.RetryDelays, notifier: digesting{Notifier: e.notifier, digests: e.digests, flood: e.flood,
			floodDelay: e.cfg.FloodDigestDelay, now: e.deps.Clock(), logger: e.logger, m: e.m}, ledger: e.ledger,
		pub: pub, logger: e.logger, now: e.deps.Clock(), m: e.m, beforeAck: e.deps.BeforeAck,
	}
	return func(ctx context.Context) error {
		return conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{
			Queue: topo.DeliverQueues[ChannelEmail], Prefetch: e.cfg.Batch.Prefetch, MaxBatch: e.cfg.Batch.MaxBatch, Linger: e.cfg.Batch.Linger,
		}, d.handle)
	}
}

// digesting hands the notifications of destinations with digest settings to the digest store
// (the ledger then records them as accepted) and sends the others at once, unless their
// destination is flooded (more than the flood limit in its window): those wait for a digest too.
// A confirmation is always sent at once: it is what the user waits for.
type digesting struct {
	*email.Notifier
	digests    *digest.Store
	flood      *ratelimit.Limiter
	floodDelay time.Duration
	now        func() time.Time
	logger     *slog.Logger
	m          *metrics
}

// Send implements notify.Notifier.
func (d digesting) Send(ctx context.Context, n wire.Notification) error {
	if n.IsConfirmation() {
		return d.Notifier.Send(ctx, n)
	}
	if n.Destination.Digest() {
		return d.digests.Add(ctx, n)
	}
	ok, err := d.flood.Allow(ctx, "email:"+strconv.FormatInt(n.Destination.ID, 10), d.now())
	if err != nil {
		d.logger.WarnContext(ctx, "flood guard unavailable; sending", "error", err)
	}
	if !ok {
		d.m.flooded.WithLabelValues(ChannelEmail).Inc()
		n.Destination.DigestMaxCount, n.Destination.DigestMaxDelay = 0, d.floodDelay
		return d.digests.Add(ctx, n)
	}
	return d.Notifier.Send(ctx, n)
}

// scheduler returns the loop that sends the digests that are due.
func (e *emailDelivery) scheduler() func(context.Context) error {
	s := digest.NewScheduler(e.digests, func(ctx context.Context, ns []wire.Notification) error {
		m, err := e.renderer.RenderDigest(ns)
		if err != nil {
			return err
		}
		return e.sender.Send(ctx, m)
	}, e.cfg.DigestInterval, e.logger, e.deps.Registry, e.deps.Clock())
	return s.Run
}

// close ends the SMTP session and closes the database pool.
func (e *emailDelivery) close() {
	if err := e.notifier.Close(); err != nil {
		e.logger.Debug("close smtp connection", "error", err)
	}
	e.pool.Close()
}
