// Package poll waits for a condition the load tool cannot be told about, only ask: a count in
// Redis or mailpit, a process's metrics, a broker taking connections again.
package poll

import (
	"context"
	"fmt"
	"time"
)

// Interval paces Until: every poll of a load run scrapes processes' metrics or reads a sink,
// which costs them CPU.
const Interval = 50 * time.Millisecond

// Until polls cond every Interval until it holds, fails, or timeout passes.
func Until(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(Interval)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("condition not met after %s", timeout)
		case <-t.C:
		}
	}
}
