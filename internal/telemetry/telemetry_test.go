package telemetry

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReadyzReportsEachCheckWithoutDetails(t *testing.T) {
	t.Parallel()
	up := true
	h := HealthHandler(Checks{
		"broker":   Flag(func() bool { return up }),
		"database": func(context.Context) error { return errors.New("dial tcp 10.0.0.1: password=secret") },
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	body, _ := io.ReadAll(rec.Body)
	require.Equal(t, "broker: ok\ndatabase: not ready\n", string(body))

	h = HealthHandler(Checks{"broker": Flag(func() bool { return up })})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code)
}

// serve runs a server NewServer builds with opts until the test ends and returns its address.
func serve(t *testing.T, h http.Handler, opts ...ServerOption) string {
	t.Helper()
	srv := NewServer(h, slog.New(slog.DiscardHandler), opts...)
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, srv, "127.0.0.1:0", func(a net.Addr) { addrs <- a.String() }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(waitFor):
			t.Error("server did not stop")
		}
	})
	select {
	case a := <-addrs:
		return a
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(waitFor):
		t.Fatal("server did not listen")
	}
	return ""
}

// waitFor bounds every wait of these tests.
const waitFor = 10 * time.Second

// A client that sends its body one byte every 2 s is cut off at ReadTimeout, long before the
// body would be complete.
func TestReadTimeoutCutsOffATricklingBody(t *testing.T) {
	t.Parallel()
	const readTimeout = time.Second
	bodyErr := make(chan error, 1)
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.Copy(io.Discard, r.Body)
		bodyErr <- err
		if err != nil {
			http.Error(w, "body too slow", http.StatusRequestTimeout)
		}
	}), WithReadTimeout(readTimeout))

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: fmn\r\nContent-Type: text/plain\r\nContent-Length: 64\r\n\r\n")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { // the slow client: one byte now, then one every 2 s, 64 in all (128 s)
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for range 64 {
			if _, err := conn.Write([]byte("x")); err != nil {
				return // the server closed the connection
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})

	select {
	case err := <-bodyErr:
		var ne net.Error
		require.ErrorAs(t, err, &ne, "the handler's body read fails")
		require.True(t, ne.Timeout(), "with a timeout: %v", err)
		elapsed := time.Since(start)
		require.GreaterOrEqual(t, elapsed, readTimeout-100*time.Millisecond, "not before ReadTimeout")
		require.Less(t, elapsed, 5*time.Second, "at ReadTimeout, not when the body is complete")
	case <-time.After(waitFor):
		t.Fatal("the trickling body was not cut off")
	}
	// The server closes the connection (after its 408, or with a reset as the client writes on).
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(waitFor)))
	_, err = io.ReadAll(conn)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server closed the connection: %v", err)
}

// A handler that streams, setting its own deadline before each write the way the SSE handler
// does, outlives the server's WriteTimeout (and its ReadTimeout) even though each of its
// deadlines expires before its next write; one that does not is cut off at WriteTimeout.
func TestStreamWithPerWriteDeadlinesOutlivesWriteTimeout(t *testing.T) {
	t.Parallel()
	const (
		timeout  = 300 * time.Millisecond // the server's ReadTimeout and WriteTimeout
		interval = 150 * time.Millisecond // between writes
		perWrite = 100 * time.Millisecond // each write's own deadline, shorter than interval (as SSE's 10 s vs its 20 s heartbeat)
		writes   = 10                     // 1.5 s in all, five times the WriteTimeout
	)
	stream := func(extend bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			w.Header().Set("Content-Type", "text/event-stream")
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for i := range writes {
				if extend {
					if err := rc.SetWriteDeadline(time.Now().Add(perWrite)); err != nil {
						return
					}
				}
				if _, err := fmt.Fprintf(w, "tick %d\n", i); err != nil {
					return
				}
				if err := rc.Flush(); err != nil {
					return
				}
				if i == writes-1 {
					return // at once: the end of the response is written under the last deadline
				}
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
				}
			}
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /stream", stream(true))
	mux.Handle("GET /plain", stream(false))
	addr := serve(t, mux, WithReadTimeout(timeout), WithWriteTimeout(timeout))

	// ticks reads a stream to its end and returns how many lines it got and how it ended.
	ticks := func(path string) (int, error) {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		sc := bufio.NewScanner(resp.Body)
		n := 0
		for sc.Scan() {
			require.Equal(t, fmt.Sprintf("tick %d", n), sc.Text())
			n++
		}
		return n, sc.Err()
	}

	start := time.Now()
	n, err := ticks("/stream")
	require.NoError(t, err, "the stream ends cleanly")
	require.Equal(t, writes, n, "every write arrived")
	require.Greater(t, time.Since(start), 3*timeout, "the stream lasted well past WriteTimeout")

	n, err = ticks("/plain")
	require.Less(t, n, writes, "without its own deadlines a stream is cut off at WriteTimeout (ended with %v)", err)
}
