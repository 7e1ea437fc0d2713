package irc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lrstanley/girc"

	"fmn/internal/notify"
	"fmn/internal/wire"
	"fmn/pkg/prefs"
)

// ErrDisconnected is the temporary failure of a send while the bot is not connected.
var ErrDisconnected = errors.New("irc: bot not connected")

// NoSuchNickError is the server's ERR_NOSUCHNICK (401): the nick is not online. Temporary.
type NoSuchNickError struct{}

// Error implements error; it does not name the nick (errors reach Warn logs).
func (NoSuchNickError) Error() string { return "irc 401: no such nick" }

// ErrorClass is the log-safe class of the failure.
func (NoSuchNickError) ErrorClass() string { return "irc 401" }

// request is one Send waiting for the owner goroutine.
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
