// Package irc delivers notifications as IRC private messages from one bot connection.
//
// One goroutine (Bot.Run) owns the girc client: it connects (optionally over TLS, optionally
// logging in with SASL PLAIN), reconnects with jittered backoff, sends every outgoing line through
// a token-bucket Limiter so the bot is never kicked for flooding, and answers the bot commands
// users send it in private (help, stop, start, confirm). Send reaches that goroutine through a
// bounded channel and waits, with its context, for the server's verdict.
//
// Outcome of a send: after the PRIVMSG the bot sends a PING with a token of its own; the server
// answers commands in order, so an ERR_NOSUCHNICK (401) for the nick before the PONG means the
// nick is not online, and the PONG alone means the server took the message. A nick that is not
// online is a temporary failure (NoSuchNickError): the backend retries it through its delay
// queues, giving the user time to come back, and dead-letters it after the last retry. A
// disconnected bot is temporary too (ErrDisconnected). A nick that cannot be one is permanent.
package irc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lrstanley/girc"

	"fmn/internal/backoff"
	"fmn/internal/notify"
	"fmn/internal/wire"
	"fmn/pkg/prefs"
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

// ErrDisconnected is the temporary failure of a send while the bot is not connected.
var ErrDisconnected = errors.New("irc: bot not connected")

// NoSuchNickError is the server's ERR_NOSUCHNICK (401): the nick is not online. Temporary.
type NoSuchNickError struct{}

// Error implements error; it does not name the nick (errors reach Warn logs).
func (NoSuchNickError) Error() string { return "irc 401: no such nick" }

// ErrorClass is the log-safe class of the failure.
func (NoSuchNickError) ErrorClass() string { return "irc 401" }

// Commands is what the bot commands change: the destinations of kind irc whose address is nick.
// pgstore.Store implements it.
type Commands interface {
	// SetIRCEnabled enables or disables every IRC destination whose address is nick and returns
	// how many changed.
	SetIRCEnabled(ctx context.Context, nick string, enabled bool) (int, error)
	// ConfirmIRCByCode confirms the unconfirmed IRC destination whose address is nick and whose
	// pending confirmation code is code, and returns its user. Its expected refusals are
	// prefs confirmation errors (prefs.IsConfirmationError), whose text is shown to the nick.
	ConfirmIRCByCode(ctx context.Context, nick, code string) (prefs.User, error)
}

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

type request struct {
	ctx    context.Context
	target string
	line   string
	done   chan error // buffered: the owner never blocks on it
}

// Send delivers n to the nick of its destination.
func (b *Bot) Send(ctx context.Context, n wire.Notification) error {
	nick := n.Destination.Address
	if !prefs.ValidIRCNick(nick) {
		return notify.Permanent(errors.New("irc: destination address " + prefs.IRCNickRule))
	}
	if !b.connected.Load() {
		return ErrDisconnected
	}
	budget := TextBudget(b.cfg.Nick, nick)
	line := Render(n, b.now(), b.cfg.LateAfter, budget)
	if n.IsConfirmation() {
		if Clean(n.ConfirmCode) == "" {
			return notify.Permanent(errors.New("irc: confirmation without a code"))
		}
		line = RenderConfirmation(n, budget)
	}
	r := &request{ctx: ctx, target: nick, line: line, done: make(chan error, 1)}
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
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

// Run connects and keeps the bot connected until ctx ends; it returns nil then. Only one Run
// may be active at a time.
func (b *Bot) Run(ctx context.Context) error {
	if !b.running.CompareAndSwap(false, true) {
		return errors.New("irc: bot already running")
	}
	defer b.running.Store(false)
	lim := NewLimiter(b.cfg.Rate, b.cfg.Burst, b.now())
	for attempt := 0; ; {
		registered, err := b.session(ctx, lim)
		if ctx.Err() != nil {
			return nil
		}
		if registered {
			attempt = 0 // a connection that worked starts the backoff over
		}
		wait := b.cfg.Reconnect.Wait(attempt)
		b.logger.WarnContext(ctx, "irc connection lost; reconnecting", "error", err, "in", wait.Round(time.Millisecond))
		timer := time.NewTimer(wait)
	wait:
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				return nil
			case <-timer.C:
				attempt++
				break wait
			case r := <-b.reqs: // queued just before the connection went
				r.done <- ErrDisconnected
			}
		}
	}
}

// session is one connection: it returns when the connection ends (with its error) or ctx does.
// registered reports whether the bot got as far as being registered.
func (b *Bot) session(ctx context.Context, lim *Limiter) (registered bool, err error) {
	gc := girc.Config{
		Server: b.host, Port: b.port, Nick: b.cfg.Nick, User: b.cfg.User, Name: b.cfg.Name,
		SSL: b.cfg.TLS, TLSConfig: b.cfg.TLSConfig,
		AllowFlood: true, // the Limiter paces lines; girc's own pacing would only add latency
		PingDelay:  time.Minute, PingTimeout: 2 * time.Minute,
		Version: "fmn",
	}
	if b.cfg.TLS && gc.TLSConfig == nil {
		gc.TLSConfig = &tls.Config{ServerName: b.host, MinVersion: tls.VersionTLS12}
	}
	if b.cfg.SASLUser != "" {
		gc.SASL = &girc.SASLPlain{User: b.cfg.SASLUser, Pass: b.cfg.SASLPassword}
	}
	client := girc.New(gc)
	connected := make(chan struct{})
	replies := make(chan girc.Event, 64)
	commands := make(chan girc.Event, 32)
	var once sync.Once
	client.Handlers.AddBg(girc.CONNECTED, func(*girc.Client, girc.Event) { once.Do(func() { close(connected) }) })
	// The handlers run on girc's goroutines: they only forward, never block.
	forward := func(ch chan girc.Event) func(*girc.Client, girc.Event) {
		return func(_ *girc.Client, e girc.Event) {
			select {
			case ch <- e:
			default:
			}
		}
	}
	// The verdicts are forwarded by foreground handlers, which girc runs, in order, before it
	// lets Connect return: a PONG that came just before the server closed the connection is in
	// replies by the time down closes (deliver looks there before calling the send failed).
	client.Handlers.Add(girc.PONG, forward(replies))
	client.Handlers.Add(girc.ERR_NOSUCHNICK, forward(replies))
	client.Handlers.AddBg(girc.PRIVMSG, forward(commands))

	down := make(chan struct{})
	var connErr error
	go func() {
		defer close(down)
		connErr = client.Connect()
	}()
	defer func() {
		b.setConnected(false)
		client.Close()
		<-down
	}()

	select {
	case <-connected:
	case <-down:
		return false, fmt.Errorf("irc connect: %w", orClosed(connErr))
	case <-ctx.Done():
		return false, ctx.Err()
	}
	b.setConnected(true)
	b.logger.InfoContext(ctx, "irc connected", "tls", b.cfg.TLS, "sasl", b.cfg.SASLUser != "")

	var seq uint64
	s := &sessionState{b: b, client: client, lim: lim, replies: replies, down: down}
	for {
		select {
		case <-ctx.Done():
			client.Quit("shutting down")
			return true, ctx.Err()
		case <-down:
			return true, orClosed(connErr)
		case r := <-b.reqs:
			seq++
			err := s.deliver(ctx, r, "fmn-"+strconv.FormatUint(seq, 10))
			r.done <- err
			if errors.Is(err, ErrDisconnected) {
				<-down
				return true, orClosed(connErr)
			}
		case e := <-commands:
			s.command(ctx, e)
		}
	}
}

func orClosed(err error) error {
	if err == nil {
		return errors.New("connection closed")
	}
	return err
}

// sessionState is what the owner goroutine uses during one connection.
type sessionState struct {
	b       *Bot
	client  *girc.Client
	lim     *Limiter
	replies chan girc.Event
	down    chan struct{}
}

// pace waits for the limiter's permission to send one line.
func (s *sessionState) pace(ctx context.Context, rctx context.Context) error {
	d := s.lim.Reserve(s.b.now())
	if d <= 0 {
		return nil
	}
	select {
	case <-s.b.after(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-rctx.Done():
		return rctx.Err()
	case <-s.down:
		return ErrDisconnected
	}
}

// deliver sends one request's line followed by a PING with token, and waits for the server's
// verdict.
func (s *sessionState) deliver(ctx context.Context, r *request, token string) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if err := s.pace(ctx, r.ctx); err != nil {
		return err
	}
	s.client.Cmd.Message(r.target, r.line)
	// The line is out: from here only the end of the bot stops the wait, so that a sender giving
	// up does not turn a sent message into a retry.
	if err := s.pace(ctx, ctx); err != nil {
		return err
	}
	s.client.Cmd.Ping(token)
	timeout := time.NewTimer(s.b.cfg.ReplyTimeout)
	defer timeout.Stop()
	for {
		select {
		case e := <-s.replies:
			if done, err := verdict(e, r.target, token); done {
				return err
			}
		case <-timeout.C:
			// The line may have gone out; resending risks a duplicate, not sending risks a loss:
			// the backend retries.
			return fmt.Errorf("irc: no answer from the server within %s", s.b.cfg.ReplyTimeout)
		case <-s.down:
			// The server may have answered just before it closed the connection.
			for {
				select {
				case e := <-s.replies:
					if done, err := verdict(e, r.target, token); done {
						return err
					}
					continue
				default:
				}
				// No answer: the line may or may not have reached the nick (IRC confirms nothing
				// but the PONG); the backend retries, which risks one duplicate rather than a loss.
				return ErrDisconnected
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// verdict reads one reply to the send of a line to target followed by a PING with token: the PONG
// (sent), ERR_NOSUCHNICK for target (not online); done is false for anything else (an answer to an
// earlier send or to girc's own PING).
func verdict(e girc.Event, target, token string) (done bool, err error) {
	switch {
	case e.Command == girc.PONG && e.Last() == token:
		return true, nil
	case e.Command == girc.ERR_NOSUCHNICK && len(e.Params) >= 2 && strings.EqualFold(e.Params[1], target):
		return true, NoSuchNickError{}
	}
	return false, nil
}

// Replies to the bot commands.
const (
	replyHelp = `fmn notifications bot. Commands: "stop" pauses notifications to your nick, "start" resumes them, ` +
		`"confirm <code>" confirms your nick as a destination, "help" shows this.`
	replyUnknown      = `Unknown command. Send "help" for the list.`
	replyUnavailable  = "Sorry, that command is not available right now; please try again later."
	replyConfirmUsage = `Usage: "confirm CODE", with the code I sent you when you added this nick in the web app.`
)

// command answers a private message to the bot with one NOTICE (never a PRIVMSG: bots must not
// answer each other forever). Replies are paced like notifications.
func (s *sessionState) command(ctx context.Context, e girc.Event) {
	if e.Source == nil || len(e.Params) < 2 || !strings.EqualFold(e.Params[0], s.client.GetNick()) ||
		strings.EqualFold(e.Source.Name, s.client.GetNick()) || e.IsAction() {
		return // a channel message, our own echo, or a CTCP ACTION
	}
	nick := e.Source.Name
	if !prefs.ValidIRCNick(nick) {
		return
	}
	fields := strings.Fields(Clean(e.Last()))
	var reply string
	switch {
	case len(fields) == 0:
		return
	case strings.EqualFold(fields[0], "help"):
		reply = replyHelp
	case strings.EqualFold(fields[0], "stop"), strings.EqualFold(fields[0], "start"):
		enable := strings.EqualFold(fields[0], "start")
		reply = s.setEnabled(ctx, nick, enable)
	case strings.EqualFold(fields[0], "confirm"):
		reply = s.confirm(ctx, nick, fields[1:])
	default:
		reply = replyUnknown
	}
	if err := s.pace(ctx, ctx); err != nil {
		return
	}
	s.client.Cmd.Notice(nick, truncate(reply, TextBudget(s.client.GetNick(), nick)))
}

func (s *sessionState) setEnabled(ctx context.Context, nick string, enable bool) string {
	verb := "stopped"
	hint := `Send "start" to resume them.`
	if enable {
		verb, hint = "resumed", `Send "stop" to pause them.`
	}
	if s.b.cmds == nil {
		return replyUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := s.b.cmds.SetIRCEnabled(ctx, nick, enable)
	if err != nil {
		s.b.logger.WarnContext(ctx, "irc bot command failed", "enable", enable, "error", err)
		return replyUnavailable
	}
	if n == 0 {
		return fmt.Sprintf("Nothing to change: no notifications are %s for this nick.", map[bool]string{true: "paused", false: "active"}[enable])
	}
	s.b.logger.InfoContext(ctx, "irc destinations changed by bot command", "enable", enable, "destinations", n)
	return fmt.Sprintf("Notifications to this nick are %s. %s", verb, hint)
}

// confirm answers "confirm CODE": the code is never echoed, and a refusal is one of the prefs
// confirmation errors, whose text is fixed.
func (s *sessionState) confirm(ctx context.Context, nick string, args []string) string {
	if len(args) == 0 {
		return replyConfirmUsage
	}
	if s.b.cmds == nil {
		return replyUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u, err := s.b.cmds.ConfirmIRCByCode(ctx, nick, strings.Join(args, ""))
	switch {
	case prefs.IsConfirmationError(err):
		return "Not confirmed: " + err.Error() + "."
	case err != nil:
		s.b.logger.WarnContext(ctx, "irc bot confirm failed", "error", err)
		return replyUnavailable
	}
	s.b.logger.InfoContext(ctx, "irc destination confirmed by bot command", "user", u.Name)
	return fmt.Sprintf(`Confirmed: notifications of the account %q now come to this nick. Send "stop" to pause them.`, Clean(u.Name))
}
