package irc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/lrstanley/girc"
)

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
