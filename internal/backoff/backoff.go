// Package backoff retries an operation with jittered exponential backoff until it succeeds or the
// context ends.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy bounds the waits between attempts.
type Policy struct {
	Min, Max time.Duration
}

// Default returns the policy that suits a call to a local service that may restart: quick first
// retries, then at most one attempt every 5 s.
func Default() Policy { return Policy{Min: 100 * time.Millisecond, Max: 5 * time.Second} }

// Wait returns the jittered wait before attempt n (0-based): between half and all of
// min(Max, Min·2ⁿ).
func (p Policy) Wait(n int) time.Duration {
	d := p.Min
	for i := 0; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return d/2 + rand.N(d/2+1)
}

// Retry calls fn until it returns nil or ctx ends. onError, if set, sees each failure with its
// attempt number. It returns nil on success and ctx's error otherwise.
func (p Policy) Retry(ctx context.Context, fn func(ctx context.Context) error, onError func(attempt int, err error)) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if onError != nil {
			onError(attempt, err)
		}
		t := time.NewTimer(p.Wait(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
