package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strconv"
	"sync/atomic"
	"time"

	mail "gopkg.in/mail.v2"

	"fmn/internal/notify"
	"fmn/internal/wire"
)

// TLS modes of the connection to the SMTP server.
const (
	TLSNone     = "none"     // plain text (a local relay or a test server)
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// Defaults.
const (
	// DefaultTimeout bounds one send (MAIL, RCPT, DATA) and one dial.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxIdle is how long an unused connection is trusted: servers close idle
	// connections (RFC 5321 suggests 5 minutes), so an older one is replaced before use.
	DefaultMaxIdle = time.Minute
)

// SenderConfig configures a Sender.
type SenderConfig struct {
	// Addr is the server's host:port.
	Addr string
	// Username and Password authenticate when Username is set.
	Username, Password string
	// TLS is TLSNone, TLSStartTLS or TLSImplicit.
	TLS string
	// From is the envelope and header sender.
	From string
	// Timeout bounds each send and dial; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxIdle replaces a connection unused for longer; zero means DefaultMaxIdle.
	MaxIdle time.Duration
	// TLSConfig, if set, replaces the default TLS settings (tests use it for their own CA).
	TLSConfig *tls.Config
}

// Sender sends Messages over one reused SMTP connection. Sends are serialised: an SMTP
// connection carries one transaction at a time. It is safe for concurrent use.
type Sender struct {
	cfg    SenderConfig
	dialer *mail.Dialer
	now    func() time.Time
	// sem is a one-slot semaphore guarding the fields below; unlike a mutex, waiters give up when
	// their ctx ends.
	sem      chan struct{}
	conn     mail.SendCloser // nil when not connected
	lastUsed time.Time
	// connected mirrors conn != nil for readiness checks that do not wait for a send.
	connected atomic.Bool
}

// NewSender validates cfg and builds the dialer once. It does not connect.
func NewSender(cfg SenderConfig, now func() time.Time) (*Sender, error) {
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port > 65535 {
		return nil, fmt.Errorf("smtp address %q: bad port", cfg.Addr)
	}
	if _, err := netmail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxIdle <= 0 {
		cfg.MaxIdle = DefaultMaxIdle
	}
	d := mail.NewDialer(host, port, cfg.Username, cfg.Password)
	d.Timeout = cfg.Timeout
	d.LocalName = "localhost"
	d.TLSConfig = cfg.TLSConfig
	if d.TLSConfig == nil {
		d.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	switch cfg.TLS {
	case TLSNone, "":
		d.SSL, d.StartTLSPolicy = false, mail.NoStartTLS
	case TLSStartTLS:
		d.SSL, d.StartTLSPolicy = false, mail.MandatoryStartTLS
	case TLSImplicit:
		d.SSL = true
	default:
		return nil, fmt.Errorf("smtp tls mode %q is not one of none, starttls, tls", cfg.TLS)
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{cfg: cfg, dialer: d, now: now, sem: make(chan struct{}, 1)}, nil
}

// Send sends m, dialling first if there is no connection (or it has been idle too long). On any
// failure the connection is dropped, so the next send starts a clean session. The error is a
// *notify.PermanentError for SMTP 5xx replies and unusable addresses, temporary otherwise.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if _, err := netmail.ParseAddress(m.To); err != nil {
		return notify.Permanent(fmt.Errorf("recipient address: %w", err))
	}
	msg := mail.NewMessage()
	msg.SetHeader("From", s.cfg.From)
	msg.SetHeader("To", m.To)
	msg.SetHeader("Subject", oneLine(m.Subject))
	for _, h := range m.Headers {
		msg.SetHeader(h.Name, oneLine(h.Value))
	}
	msg.SetDateHeader("Date", s.now())
	msg.SetBody("text/plain", m.Text)
	if m.HTML != "" {
		msg.AddAlternative("text/html", m.HTML)
	}

	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for smtp connection: %w", context.Cause(ctx))
	}
	defer func() { <-s.sem }()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	if s.conn != nil && s.now().Sub(s.lastUsed) > s.cfg.MaxIdle {
		s.drop()
	}
	if err := s.dial(); err != nil {
		return err
	}
	if err := mail.Send(s.conn, msg); err != nil {
		s.drop()
		return classify(err)
	}
	s.lastUsed = s.now()
	return nil
}

// checkDialTimeout bounds the connect of a Check without a deadline of its own.
const checkDialTimeout = 2 * time.Second

// Check reports whether the server is reachable: nil while a connection is open, else the
// result of connecting now, within ctx's deadline (the connection is kept for the next send). A
// check never waits for a send in progress.
func (s *Sender) Check(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
	default:
		if s.connected.Load() {
			return nil
		}
		return errors.New("smtp: not connected")
	}
	defer func() { <-s.sem }()
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.conn != nil {
		return nil
	}
	timeout := checkDialTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(s.cfg.Timeout, max(time.Until(dl), time.Millisecond))
	}
	// mail.v2 dials without a context, bounded by the dialer's Timeout, and the connection keeps
	// a pointer to the dialer it came from for the deadlines of its sends. So dial with a copy
	// whose Timeout is the check's, then give the copy the send timeout back.
	d := *s.dialer
	d.Timeout = timeout
	c, err := d.Dial()
	d.Timeout = s.cfg.Timeout
	if err != nil {
		return classify(fmt.Errorf("smtp connect: %w", err))
	}
	s.conn, s.lastUsed = c, s.now()
	s.connected.Store(true)
	return nil
}

// Close ends the session politely. Later sends dial again.
func (s *Sender) Close() error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	s.connected.Store(false)
	if err != nil {
		return fmt.Errorf("smtp quit: %w", err)
	}
	return nil
}

// dial connects if there is no connection; the caller holds sem.
func (s *Sender) dial() error {
	if s.conn != nil {
		return nil
	}
	c, err := s.dialer.Dial()
	if err != nil {
		return classify(fmt.Errorf("smtp connect: %w", err))
	}
	s.conn, s.lastUsed = c, s.now()
	s.connected.Store(true)
	return nil
}

// drop forgets the connection after a failure; the caller holds sem. The session may be in any
// state, so it is closed (QUIT, bounded by the send deadline) rather than reused.
func (s *Sender) drop() {
	if s.conn != nil {
		_ = s.conn.Close()
	}
	s.conn = nil
	s.connected.Store(false)
}

// classify wraps err as permanent when the server answered 5xx. Everything else (4xx replies,
// network errors, timeouts, TLS trouble) is temporary.
func classify(err error) error {
	cause, unwrapped := err, false
	var se *mail.SendError // mail.v2 v2.3.1's SendError has no Unwrap
	if errors.As(err, &se) {
		cause, unwrapped = se.Cause, true
	}
	var tp *textproto.Error
	if errors.As(cause, &tp) {
		e := fmt.Errorf("smtp %d %s", tp.Code, oneLine(tp.Msg))
		if tp.Code >= 500 && tp.Code < 600 {
			return notify.Permanent(e)
		}
		return e
	}
	if unwrapped {
		return fmt.Errorf("smtp: %w", cause)
	}
	return err
}

// Notifier renders and sends notifications by email: a notify.Notifier.
type Notifier struct {
	renderer *Renderer
	sender   *Sender
}

// NewNotifier returns a Notifier.
func NewNotifier(r *Renderer, s *Sender) *Notifier { return &Notifier{renderer: r, sender: s} }

// Send renders n and sends it to its destination's address.
func (n *Notifier) Send(ctx context.Context, note wire.Notification) error {
	m, err := n.renderer.Render(note)
	if err != nil {
		return notify.Permanent(err)
	}
	return n.sender.Send(ctx, m)
}

// Check reports whether the SMTP server is reachable.
func (n *Notifier) Check(ctx context.Context) error { return n.sender.Check(ctx) }

// Close closes the SMTP connection.
func (n *Notifier) Close() error { return n.sender.Close() }
