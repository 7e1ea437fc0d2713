package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"golang.org/x/sync/errgroup"

	"fmn/internal/notify/sse"
	"fmn/internal/rabbit"
	"fmn/internal/ssetoken"
)

// clock holds when each message of a phase was published (Unix nanoseconds, 0 until then), for
// latencies measured by SSE clients.
type clock struct {
	sent []atomic.Int64
	ids  map[string]int // message id → index
}

func newClock(tr *traffic) *clock {
	c := &clock{sent: make([]atomic.Int64, len(tr.msgs)), ids: make(map[string]int, len(tr.msgs))}
	for i := range tr.msgs {
		c.ids[tr.msgs[i].pub.MessageId] = i
	}
	return c
}

// sseClients holds the phase's SSE streams: each records the delay from its message's publish to
// the event's receipt, and the notification ids it received.
type sseClients struct {
	mu        sync.Mutex
	latencies []time.Duration
	received  map[string]int // notification id → times received
	errs      []error
	wg        sync.WaitGroup
	cancel    context.CancelFunc
}

// openStreams opens one stream per user on the backend at addr.
func openStreams(ctx context.Context, addr string, signer *ssetoken.Signer, users []string, clk *clock) *sseClients {
	ctx, cancel := context.WithCancel(ctx)
	c := &sseClients{received: map[string]int{}, cancel: cancel}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	for _, u := range users {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			if err := c.read(ctx, client, addr, signer.Issue(u, time.Now(), time.Hour), clk); err != nil && ctx.Err() == nil {
				c.mu.Lock()
				c.errs = append(c.errs, fmt.Errorf("stream of %s: %w", u, err))
				c.mu.Unlock()
			}
		}()
	}
	return c
}

func (c *sseClients) read(ctx context.Context, client *http.Client, addr, token string, clk *clock) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/stream?token="+url.QueryEscape(token), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return sse.Parse(resp.Body, func(ev sse.ClientEvent) error {
		now := time.Now()
		var p sse.Payload
		if err := json.Unmarshal([]byte(ev.Data), &p); err != nil || p.ID == "" {
			return nil // not a notification
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.received[p.ID]++
		if i, ok := clk.ids[p.MessageID]; ok {
			if sent := clk.sent[i].Load(); sent != 0 {
				c.latencies = append(c.latencies, now.Sub(time.Unix(0, sent)))
			}
		}
		return nil
	})
}

// close ends every stream and returns what they saw.
func (c *sseClients) close() (lat []time.Duration, received map[string]int, errs []error) {
	c.cancel()
	c.wg.Wait()
	return c.latencies, c.received, c.errs
}

// backlog samples the ready messages of queues until stopped, keeping each one's largest.
type backlog struct {
	mu   sync.Mutex
	max  map[string]int
	errs int
	stop context.CancelFunc
	done chan struct{}
}

func sampleBacklog(ctx context.Context, conn *rabbit.Conn, queues []string, every time.Duration) *backlog {
	ctx, cancel := context.WithCancel(ctx)
	b := &backlog{max: map[string]int{}, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(every)
		defer t.Stop()
		var ch *amqp.Channel // one channel for every sample: opening one costs the broker too
		defer func() {
			if ch != nil {
				_ = ch.Close()
			}
		}()
		for {
			for _, q := range queues {
				if ch == nil || ch.IsClosed() {
					c, err := conn.Channel(ctx)
					if err != nil {
						break
					}
					ch = c
				}
				info, err := ch.QueueDeclarePassive(q, true, false, false, false, nil)
				b.mu.Lock()
				if err != nil {
					b.errs++
				} else {
					b.max[q] = max(b.max[q], info.Messages)
				}
				b.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return b
}

func (b *backlog) result() map[string]int {
	b.stop()
	<-b.done
	return b.max
}

// streamed reads every notification id in the SSE streams of users (what the backend stored,
// which is what any client would get): id → times present.
func streamed(ctx context.Context, store *sse.Store, users []string) (map[string]int, error) {
	out := map[string]int{}
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, u := range users {
		g.Go(func() error {
			after := "0-0"
			for {
				evs, err := store.Read(ctx, u, after, 1000)
				if err != nil {
					return err
				}
				if len(evs) == 0 {
					return nil
				}
				mu.Lock()
				for _, ev := range evs {
					var p sse.Payload
					if err := json.Unmarshal(ev.Data, &p); err != nil {
						mu.Unlock()
						return fmt.Errorf("stream entry %s of %s: %w", ev.ID, u, err)
					}
					out[p.ID]++
				}
				mu.Unlock()
				after = evs[len(evs)-1].ID
			}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
