package loadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"fmn/internal/ircreceiver"
	"fmn/internal/mailpitapi"
)

// The fault run's email and IRC users: their filters send to an email address in mailpit and an
// IRC nick held by a receiver as well as to their SSE stream.
const (
	// mailDomain is the domain of their addresses.
	mailDomain = "fmnload.example"
	// botNick is the backend's IRC nick.
	botNick = "fmnbot"
	// ircLateAfter is the backend's FMN_IRC_LATE_AFTER: no line of a run gets a late note, so
	// that the expected lines are known in advance.
	ircLateAfter = 24 * time.Hour
)

// nickOf is the IRC nick of the i-th IRC user.
func nickOf(i int) string { return "fmnr" + strconv.Itoa(i+1) }

// addChannels gives the mail users an email destination and the IRC users an IRC destination,
// both confirmed, which every filter of theirs sends to as well.
func addChannels(ctx context.Context, dbURL string, mailUsers, ircUsers []string) error {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("add channels: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	add := func(user, kind, addr string) error {
		_, err := tx.Exec(ctx, `WITH d AS (
				INSERT INTO destinations (user_id, kind, address, confirmed)
				SELECT id, $2, $3, true FROM users WHERE name = $1 RETURNING id, user_id)
			INSERT INTO filter_destinations (filter_id, destination_id)
			SELECT f.id, d.id FROM filters f JOIN d USING (user_id)`, user, kind, addr)
		if err != nil {
			return fmt.Errorf("add %s destination of %s: %w", kind, user, err)
		}
		return nil
	}
	for _, u := range mailUsers {
		if err := add(u, "email", u+"@"+mailDomain); err != nil {
			return err
		}
	}
	for i, u := range ircUsers {
		if err := add(u, "irc", nickOf(i)); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("add channels: %w", err)
	}
	return nil
}

// mailbox reads mailpit's HTTP API.
type mailbox struct {
	api mailpitapi.Client
}

func newMailbox(api string) *mailbox {
	return &mailbox{api: mailpitapi.Client{URL: api, HTTP: &http.Client{Timeout: 30 * time.Second}}}
}

func (m *mailbox) page(ctx context.Context, start, limit int) (*mailpitapi.Page, error) {
	p, err := m.api.Messages(ctx, start, limit)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// count is the number of messages mailpit holds.
func (m *mailbox) count(ctx context.Context) (int, error) {
	p, err := m.page(ctx, 0, 1)
	if err != nil {
		return 0, err
	}
	return p.Total, nil
}

// received returns when each message arrived, by notification id: the left-hand side of its
// Message-ID.
func (m *mailbox) received(ctx context.Context) (map[string][]time.Time, error) {
	const limit = 1000
	out := map[string][]time.Time{}
	for start := 0; ; start += limit {
		p, err := m.page(ctx, start, limit)
		if err != nil {
			return nil, err
		}
		for _, msg := range p.Messages {
			id, _, _ := strings.Cut(strings.Trim(msg.MessageID, "<>"), "@")
			out[id] = append(out[id], msg.Created)
		}
		if len(p.Messages) < limit {
			return out, nil
		}
	}
}

// ircReceivers hold one IRC connection per nick, reconnecting whenever the server drops them,
// and record every PRIVMSG the bot sends them.
type ircReceivers struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	n      atomic.Int64 // lines received
	up     atomic.Int64 // nicks registered now

	mu sync.Mutex
	// lines holds when each line arrived, by ircKey.
	lines map[string][]time.Time
}

// ircKey names a line received by nick.
func ircKey(nick, line string) string { return nick + " <- " + line }

// openIRC connects a receiver for every nick to the server at addr.
func openIRC(ctx context.Context, addr string, nicks []string) (*ircReceivers, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("irc address: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &ircReceivers{cancel: cancel, lines: map[string][]time.Time{}}
	for _, nick := range nicks {
		r.wg.Go(func() {
			_ = ircreceiver.Hold(ctx, ircreceiver.Config{Addr: addr, Nick: nick, User: "fmnload", Name: "fmn load receiver",
				From: botNick, RetryDelay: 100 * time.Millisecond, // the server is restarting: try again shortly
				OnRegistered: func(string) { r.up.Add(1) },
				OnLeft:       func() { r.up.Add(-1) },
				OnLine: func(text string) {
					r.mu.Lock()
					k := ircKey(nick, text)
					r.lines[k] = append(r.lines[k], time.Now())
					r.mu.Unlock()
					r.n.Add(1)
				}})
		})
	}
	return r, nil
}

// count is the number of lines received so far.
func (r *ircReceivers) count() int { return int(r.n.Load()) }

// registered is the number of nicks connected now.
func (r *ircReceivers) registered() int { return int(r.up.Load()) }

// close disconnects every receiver and returns when each line arrived, by ircKey.
func (r *ircReceivers) close() map[string][]time.Time {
	r.cancel()
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lines
}

// ledgerRows reads the delivery ledger: notification id → status.
func ledgerRows(ctx context.Context, dbURL string) (map[string]string, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT notification_id, status FROM deliveries`)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	out := map[string]string{}
	var id, status string
	_, err = pgx.ForEachRow(rows, []any{&id, &status}, func() error { out[id] = status; return nil })
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return out, nil
}
