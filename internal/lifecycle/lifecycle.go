// Package lifecycle runs a process's long-lived parts together: when one fails, or the context
// ends, the others are cancelled, and Group returns once all have stopped.
package lifecycle

import (
	"context"
	"errors"
	"sync"
)

// Group runs every fn until ctx ends or one of them returns an error, then cancels the others,
// waits for all, and returns their errors joined. A fn returning nil before ctx ends does not stop
// the others.
func Group(ctx context.Context, fns ...func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, fn := range fns {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
