package loadtest

import (
	"context"
	"fmt"
	"time"

	"fmn/internal/rabbit"
)

// publishBatch is how many messages go out per confirmed publish when there is no rate limit.
const publishBatch = 500

// publishRetryFor bounds how long a batch is tried again after a failure, publishRetryPause
// the pause between tries.
const (
	publishRetryFor   = 3 * time.Minute
	publishRetryPause = 200 * time.Millisecond
)

// pacingTick is how often a rate-limited publisher sends what is due.
const pacingTick = 2 * time.Millisecond

// publish sends every message of tr to exchange, persistent and confirmed (rabbit.Publisher),
// as fast as the broker confirms them (rate 0) or at rate messages/s, stamping clk with each
// message's publish time. It returns when the last batch was confirmed.
func publish(ctx context.Context, pub *rabbit.Publisher, exchange string, tr *traffic, rate float64, clk *clock) error {
	out := make([]rabbit.Outgoing, 0, publishBatch)
	send := func(from, to int) error {
		out = out[:0]
		for i := from; i < to; i++ {
			m := &tr.msgs[i]
			out = append(out, rabbit.Outgoing{Exchange: exchange, Key: m.key, Msg: m.pub})
		}
		now := time.Now().UnixNano()
		for i := from; i < to; i++ {
			clk.sent[i].Store(now)
		}
		// A batch that failed (the broker restarting under a fault run) goes out again whole:
		// some of it may be queued twice, which fmn's notification ids make harmless.
		deadline := time.Now().Add(publishRetryFor)
		for {
			err := pub.Publish(ctx, out...)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil || time.Now().After(deadline) {
				return fmt.Errorf("publish messages %d-%d: %w", from, to, err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(publishRetryPause): // the broker is coming back
			}
		}
	}
	n := len(tr.msgs)
	if rate <= 0 {
		for from := 0; from < n; from += publishBatch {
			if err := send(from, min(from+publishBatch, n)); err != nil {
				return err
			}
		}
		return nil
	}
	start := time.Now()
	t := time.NewTicker(pacingTick)
	defer t.Stop()
	for sent := 0; sent < n; {
		due := min(n, int(rate*time.Since(start).Seconds())+1)
		for sent < due {
			to := min(due, sent+publishBatch)
			if err := send(sent, to); err != nil {
				return err
			}
			sent = to
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
