// Package ircreceiver is the far end of fmn's IRC channel: it holds a nick on an IRC server,
// reconnecting whenever the server drops it, and passes on each private message one sender (fmn's
// bot) sends to it. The load tool's IRC sinks and fmnctl demo-check use it.
package ircreceiver

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lrstanley/girc"
)

// Config says which nick to hold where, and what to do with what arrives.
type Config struct {
	// Addr is the server's host:port (plain text).
	Addr string
	// Nick is the nick to hold; User and Name its ident and real name (default: Nick).
	Nick, User, Name string
	// From is the sender whose PRIVMSGs are passed on (compared case-insensitively).
	From string
	// OnLine gets the text of each PRIVMSG from From, in the order they arrive, on the
	// connection's goroutine: it must not block for long.
	OnLine func(text string)
	// OnRegistered, if set, is called each time the server has registered the connection, with
	// the nick it got (another than Nick when Nick was taken). OnLeft, if set, is called when such
	// a registered connection has ended.
	OnRegistered func(nick string)
	OnLeft       func()
	// RetryDelay is the pause before connecting again after the server dropped the connection.
	RetryDelay time.Duration
}

// closeRetry is how often a connection still up once ctx ended is asked again to close: girc's
// Close stops only a connection already set up, so a Close that comes while Connect is still
// starting stops nothing.
const closeRetry = 100 * time.Millisecond

// Hold keeps cfg.Nick connected until ctx ends. It returns at once only for an address it cannot
// use.
func Hold(ctx context.Context, cfg Config) error {
	host, portS, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("irc address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portS)
	if err != nil {
		return fmt.Errorf("irc address %q: port: %w", cfg.Addr, err)
	}
	user, name := cfg.User, cfg.Name
	if user == "" {
		user = cfg.Nick
	}
	if name == "" {
		name = cfg.Nick
	}
	for ctx.Err() == nil {
		c := girc.New(girc.Config{Server: host, Port: port, Nick: cfg.Nick, User: user, Name: name, AllowFlood: true})
		var registered atomic.Bool
		c.Handlers.AddBg(girc.CONNECTED, func(c *girc.Client, _ girc.Event) {
			registered.Store(true)
			if cfg.OnRegistered != nil {
				cfg.OnRegistered(c.GetNick())
			}
		})
		c.Handlers.Add(girc.PRIVMSG, func(_ *girc.Client, e girc.Event) {
			if e.Source == nil || !strings.EqualFold(e.Source.Name, cfg.From) || len(e.Params) == 0 {
				return
			}
			cfg.OnLine(e.Last())
		})
		ended := make(chan struct{}) // closed when Connect has returned
		go func() {
			select {
			case <-ended:
			case <-ctx.Done():
				for {
					c.Close()
					select {
					case <-ended:
						return
					case <-time.After(closeRetry):
					}
				}
			}
		}()
		_ = c.Connect()
		close(ended)
		if registered.Load() && cfg.OnLeft != nil {
			cfg.OnLeft()
		}
		select { // the server dropped us (a restart, a kill): try again shortly
		case <-ctx.Done():
		case <-time.After(cfg.RetryDelay):
		}
	}
	return nil
}
