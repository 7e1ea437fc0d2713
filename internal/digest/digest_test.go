package digest_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"fmn/internal/digest"
	"fmn/internal/notify"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/wire"
)

func note(dest int64, i int, count int, delay time.Duration) wire.Notification {
	return wire.Notification{ID: "n" + strconv.FormatInt(dest, 10) + "-" + strconv.Itoa(i), User: "u",
		Destination: wire.Destination{ID: dest, Kind: "email", Address: "u@example.org", DigestMaxCount: count, DigestMaxDelay: delay}}
}

// A digest is due at max_count items or when the oldest is max_delay old; it is sent once, and a
// failed send keeps its items.
func TestDueSendAndKeepOnFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := digest.NewStore(pgtest.Pool(t))
	now := time.Now()

	require.NoError(t, store.Add(ctx, note(1, 0, 2, 0), note(1, 0, 2, 0))) // the repeat is ignored
	require.NoError(t, store.Add(ctx, note(2, 0, 0, time.Minute)))
	due, err := store.Due(ctx, now)
	require.NoError(t, err)
	require.Empty(t, due, "one of two items, and a minute not passed")

	require.NoError(t, store.Add(ctx, note(1, 1, 2, 0)))
	due, err = store.Due(ctx, now.Add(2*time.Minute))
	require.NoError(t, err)
	require.ElementsMatch(t, []int64{1, 2}, due, "destination 1 by count, 2 by age")

	var sent [][]wire.Notification
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	fail := true
	s := digest.NewScheduler(store, func(_ context.Context, ns []wire.Notification) error {
		if fail {
			return notify.Permanent(errors.New("550 no such user"))
		}
		sent = append(sent, ns)
		return nil
	}, time.Second, logger, prometheus.NewPedanticRegistry(), func() time.Time { return now.Add(2 * time.Minute) })
	s.Once(ctx)
	due, err = store.Due(ctx, now.Add(2*time.Minute))
	require.NoError(t, err)
	require.Len(t, due, 2, "failed digests keep their items")

	fail = false
	s.Once(ctx)
	require.Len(t, sent, 2)
	due, err = store.Due(ctx, now.Add(time.Hour))
	require.NoError(t, err)
	require.Empty(t, due, "sent items are gone")
}

// While one replica sends a destination's digest, another finds its items locked and sends
// nothing: a digest goes out once.
func TestConcurrentTakesSendOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := digest.NewStore(pgtest.Pool(t))
	require.NoError(t, store.Add(ctx, note(7, 0, 1, 0), note(7, 1, 1, 0)))

	inSend, release := make(chan struct{}), make(chan struct{})
	done := make(chan int)
	go func() {
		n, err := store.Take(ctx, 7, func(context.Context, []wire.Notification) error {
			close(inSend)
			<-release
			return nil
		})
		require.NoError(t, err)
		done <- n
	}()
	<-inSend
	n, err := store.Take(ctx, 7, func(context.Context, []wire.Notification) error {
		t.Error("the second replica sent a digest whose items were locked")
		return nil
	})
	require.NoError(t, err)
	require.Zero(t, n)
	close(release)
	require.Equal(t, 2, <-done)
}
