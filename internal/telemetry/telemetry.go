// Package telemetry sets up logging, the Prometheus registry, the metrics listener every fmn
// process exposes (/metrics, /healthz and /readyz) and the timeouts of every fmn HTTP server.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"fmn/internal/config"
)

// NewLogger builds the process logger from the log section.
func NewLogger(w io.Writer, c config.Log) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Level)) // validated by config.ReadLog
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// NewRegistry returns a registry with the Go and process collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// CheckFunc reports whether one dependency is usable; nil means ready.
type CheckFunc func(ctx context.Context) error

// Checks is a named set of readiness checks.
type Checks map[string]CheckFunc

// ErrNotReady is what a Flag check reports when its flag is down.
var ErrNotReady = errors.New("not ready")

// Flag turns a "connected?" function into a check.
func Flag(ok func() bool) CheckFunc {
	return func(context.Context) error {
		if !ok() {
			return ErrNotReady
		}
		return nil
	}
}

// readyTimeout bounds one /readyz evaluation so a hung dependency cannot hang the probe.
const readyTimeout = 2 * time.Second

// HealthHandler serves /healthz (the process is alive) and /readyz (every check passes).
func HealthHandler(checks Checks) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		names := make([]string, 0, len(checks))
		for n := range checks {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		ok := true
		for _, n := range names {
			if err := checks[n](ctx); err != nil {
				ok = false
				fmt.Fprintf(&b, "%s: not ready\n", n) // the error may hold addresses; keep it out
			} else {
				fmt.Fprintf(&b, "%s: ok\n", n)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = io.WriteString(w, b.String())
	})
	return mux
}

// Mount adds /metrics, /healthz and /readyz to mux: the whole of a metrics listener.
func Mount(mux *http.ServeMux, reg prometheus.Gatherer, checks Checks) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	MountHealth(mux, checks)
}

// MountHealth adds /healthz and /readyz to mux, without /metrics: for a public listener, whose
// metrics are served on a metrics listener of their own (see MetricsHandler).
func MountHealth(mux *http.ServeMux, checks Checks) {
	h := HealthHandler(checks)
	mux.Handle("GET /healthz", h)
	mux.Handle("GET /readyz", h)
}

// MetricsHandler serves /metrics, /healthz and /readyz, for a metrics listener.
func MetricsHandler(reg prometheus.Gatherer, checks Checks) http.Handler {
	mux := http.NewServeMux()
	Mount(mux, reg, checks)
	return mux
}

// Server timeouts.
const (
	readHeaderTimeout = 5 * time.Second
	// DefaultReadTimeout bounds reading a whole request, body included, so that a client
	// trickling its body cannot hold a connection and a handler forever; 30 s is plenty for the
	// largest body fmn accepts (64 KiB). net/http clears the read deadline once the body is read
	// (or at once for a request without one), so it does not cut off a long response such as
	// an SSE stream.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds the time from the end of the request headers to the end of the
	// response, so that a client that stops reading cannot hold a connection forever. It is above
	// the slowest handler's own bound (a dead-letter re-drive waits up to 30 s for the broker).
	// Streams outlive it: net/http's WriteTimeout is only a deadline on the connection, and a
	// handler that sets its own deadline before each write (http.ResponseController
	// SetWriteDeadline, as the SSE handler does) replaces it.
	DefaultWriteTimeout = 60 * time.Second
	idleTimeout         = 120 * time.Second
	shutdownTimeout     = 10 * time.Second
)

// ServerOption changes a server NewServer builds.
type ServerOption func(*http.Server)

// WithReadTimeout replaces DefaultReadTimeout.
func WithReadTimeout(d time.Duration) ServerOption {
	return func(s *http.Server) { s.ReadTimeout = d }
}

// WithWriteTimeout replaces DefaultWriteTimeout.
func WithWriteTimeout(d time.Duration) ServerOption {
	return func(s *http.Server) { s.WriteTimeout = d }
}

// NewServer returns an http.Server with fmn's timeouts: ReadHeaderTimeout 5 s, ReadTimeout
// DefaultReadTimeout, WriteTimeout DefaultWriteTimeout and IdleTimeout 120 s, unless opts say
// otherwise.
func NewServer(h http.Handler, logger *slog.Logger, opts ...ServerOption) *http.Server {
	s := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Serve listens on addr and serves srv until ctx ends, then shuts it down gracefully. If ready is
// not nil it receives the bound address once listening (tests pass ":0"-style addresses).
func Serve(ctx context.Context, srv *http.Server, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown %s: %w", addr, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", addr, err)
	}
	return nil
}
