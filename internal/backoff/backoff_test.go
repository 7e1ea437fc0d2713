package backoff

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWaitIsBounded(t *testing.T) {
	t.Parallel()
	p := Policy{Min: 10 * time.Millisecond, Max: 80 * time.Millisecond}
	for n := range 20 {
		w := p.Wait(n)
		require.GreaterOrEqual(t, w, 5*time.Millisecond)
		require.LessOrEqual(t, w, 80*time.Millisecond)
	}
}

func TestRetryUntilSuccess(t *testing.T) {
	t.Parallel()
	p := Policy{Min: time.Microsecond, Max: time.Microsecond}
	calls, seen := 0, 0
	err := p.Retry(context.Background(), func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("not yet")
		}
		return nil
	}, func(int, error) { seen++ })
	require.NoError(t, err)
	require.Equal(t, 3, calls)
	require.Equal(t, 2, seen)
}

func TestRetryStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	err := Default().Retry(ctx, func(context.Context) error { cancel(); return errors.New("down") }, nil)
	require.ErrorIs(t, err, context.Canceled)
}
