package sse

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// receiveRetry paces retries while Redis is unreachable.
const receiveRetry = 500 * time.Millisecond

// Hub relays the fan-out channel to this process's connected clients. A message on the channel
// names users, one per line; the hub pokes those users' clients, which read their stream from where they are.
// A line "!revoke USER" (see Revoke) asks USER's clients to recheck their token's revocation instead.
// A poke never blocks: each client has one-slot mailboxes, so a slow client only coalesces pokes.
// After Redis reconnects, every client is poked and asked to recheck, so nothing announced during
// the gap is missed.
type Hub struct {
	rdb     *redis.Client
	channel string
	logger  *slog.Logger

	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{}
}

// Subscription is one client's mailbox.
type Subscription struct {
	user string
	// Poke receives a value whenever the user may have new events.
	Poke chan struct{}
	// Recheck receives a value whenever the user's streams may have been revoked.
	Recheck chan struct{}
}

// NewHub returns a hub on channel.
func NewHub(rdb *redis.Client, channel string, logger *slog.Logger) *Hub {
	return &Hub{rdb: rdb, channel: channel, logger: logger, subs: map[string]map[*Subscription]struct{}{}}
}

// Subscribe registers a client of user; the returned func unregisters it.
func (h *Hub) Subscribe(user string) (*Subscription, func()) {
	s := &Subscription{user: user, Poke: make(chan struct{}, 1), Recheck: make(chan struct{}, 1)}
	h.mu.Lock()
	m := h.subs[user]
	if m == nil {
		m = map[*Subscription]struct{}{}
		h.subs[user] = m
	}
	m[s] = struct{}{}
	h.mu.Unlock()
	return s, func() {
		h.mu.Lock()
		delete(h.subs[user], s)
		if len(h.subs[user]) == 0 {
			delete(h.subs, user)
		}
		h.mu.Unlock()
	}
}

// Count returns how many clients user has on this process.
func (h *Hub) Count(user string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[user])
}

// signal puts a value in a one-slot mailbox unless one is waiting there.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (h *Hub) poke(user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[user] {
		signal(s.Poke)
	}
}

func (h *Hub) recheck(user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[user] {
		signal(s.Recheck)
	}
}

// pokeAll pokes every client and asks each to recheck its revocation.
func (h *Hub) pokeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.subs {
		for s := range m {
			signal(s.Poke)
			signal(s.Recheck)
		}
	}
}

// Run listens on the fan-out channel until ctx ends.
func (h *Hub) Run(ctx context.Context) error {
	ps := h.rdb.Subscribe(ctx, h.channel)
	// Receive does not return when ctx ends; closing the subscription makes it.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	defer ps.Close()
	for {
		msg, err := ps.Receive(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// go-redis reconnects by itself; the next Subscription message triggers a resync.
			h.logger.WarnContext(ctx, "sse fan-out receive", "error", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(receiveRetry):
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Message:
			for line := range strings.SplitSeq(m.Payload, "\n") {
				if user, ok := revokedUser(line); ok {
					h.recheck(user)
				} else {
					h.poke(line)
				}
			}
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				h.pokeAll()
			}
		case *redis.Pong:
		default:
			return fmt.Errorf("sse fan-out: unexpected %T", msg)
		}
	}
}
