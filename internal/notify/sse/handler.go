package sse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"fmn/internal/ssetoken"
)

// Handler defaults.
const (
	// DefaultHeartbeat keeps proxies from closing idle streams (most close after 60 s).
	DefaultHeartbeat = 20 * time.Second
	// DefaultMaxConnsPerUser caps one user's streams on one replica (a few tabs and devices).
	DefaultMaxConnsPerUser = 8
	// writeTimeout drops a client that cannot take one event within this time.
	writeTimeout = 10 * time.Second
	// readBatch is how many stored events are read per round trip.
	readBatch = 100
	// retryMillis is the reconnect delay suggested to EventSource.
	retryMillis = 3000
)

// EventReset is the event sent first when a client resumes from a position older than the kept
// history: some of the events it missed are gone.
const EventReset = "reset"

// EventExpired is the last event of a stream whose token expired: the stream then ends, and the
// page fetches a fresh token and reconnects from the last event id it saw (the browser's own
// reconnect would reuse the dead token). Its id is the stream's position, the last event written
// or where the stream started, so the page can resume even when it saw no notification.
const EventExpired = "expired"

// EventRevoked is the last event of a stream whose user's streams were revoked (logged out
// everywhere, or deleted; see Revoke): the stream then ends.
const EventRevoked = "revoked"

// HandlerConfig sets the stream handler's limits; zero values take the defaults.
type HandlerConfig struct {
	Heartbeat       time.Duration
	MaxConnsPerUser int
	// AllowedOrigins are the origins ("https://fmn.example.org") whose pages may read streams
	// (CORS): the web app's Live page runs on another origin than the backends. The token, not
	// the origin, is what authorises a stream; this only lets those pages see the answer.
	AllowedOrigins []string
}

// Handler serves GET /stream.
type Handler struct {
	store   *Store
	hub     *Hub
	signer  *ssetoken.Signer
	cfg     HandlerConfig
	logger  *slog.Logger
	now     func() time.Time
	conns   prometheus.Gauge
	events  prometheus.Counter
	refused *prometheus.CounterVec
	// closing is closed by Close: open streams end, so a server can shut down.
	closing   chan struct{}
	closeOnce sync.Once
}

// Close ends every open stream (their clients reconnect, to another replica); register it with
// http.Server.RegisterOnShutdown, since Shutdown does not wait for long-lived requests to notice.
func (h *Handler) Close() { h.closeOnce.Do(func() { close(h.closing) }) }

// NewHandler returns the stream handler.
func NewHandler(store *Store, hub *Hub, signer *ssetoken.Signer, cfg HandlerConfig, logger *slog.Logger, reg prometheus.Registerer, now func() time.Time) *Handler {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.MaxConnsPerUser <= 0 {
		cfg.MaxConnsPerUser = DefaultMaxConnsPerUser
	}
	f := promauto.With(reg)
	return &Handler{
		store: store, hub: hub, signer: signer, cfg: cfg, logger: logger, now: now, closing: make(chan struct{}),
		conns:   f.NewGauge(prometheus.GaugeOpts{Name: "fmn_sse_connections", Help: "Open SSE streams on this process."}),
		events:  f.NewCounter(prometheus.CounterOpts{Name: "fmn_sse_events_sent_total", Help: "SSE events written to clients."}),
		refused: f.NewCounterVec(prometheus.CounterOpts{Name: "fmn_sse_refused_total", Help: "SSE streams refused, by reason."}, []string{"reason"}),
	}
}

// token reads the stream token from the Authorization header or the token query parameter
// (EventSource cannot set headers).
func token(r *http.Request) string {
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		return strings.TrimPrefix(a, "Bearer ")
	}
	return r.URL.Query().Get("token")
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" && slices.Contains(h.cfg.AllowedOrigins, o) {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Add("Vary", "Origin")
	}
	claims, err := h.signer.Verify(token(r), h.now())
	if err != nil {
		h.refused.WithLabelValues("unauthorized").Inc()
		http.Error(w, "invalid or expired stream token", http.StatusUnauthorized)
		return
	}
	cursor := r.Header.Get("Last-Event-ID")
	if cursor == "" {
		cursor = r.URL.Query().Get("last_event_id")
	}
	if cursor != "" && !ValidEventID(cursor) {
		h.refused.WithLabelValues("bad_cursor").Inc()
		http.Error(w, "Last-Event-ID is not an event id of this stream", http.StatusBadRequest)
		return
	}
	user := claims.User
	// Register before reading the position and the revocation, so nothing announced in between
	// is missed.
	sub, unsubscribe := h.hub.Subscribe(user)
	defer unsubscribe()
	if h.hub.Count(user) > h.cfg.MaxConnsPerUser {
		h.refused.WithLabelValues("too_many").Inc()
		http.Error(w, "too many open streams for this user", http.StatusTooManyRequests)
		return
	}
	ctx := r.Context()
	revoked, err := h.store.revoked(ctx, claims)
	if err != nil {
		h.logger.ErrorContext(ctx, "sse stream revocation", "error", err)
		http.Error(w, "stream unavailable", http.StatusServiceUnavailable)
		return
	}
	if revoked {
		h.refused.WithLabelValues("revoked").Inc()
		http.Error(w, "invalid or expired stream token", http.StatusUnauthorized)
		return
	}
	missed := false
	if cursor == "" {
		cursor, err = h.store.LastID(ctx, user)
	} else {
		missed, err = h.store.Missed(ctx, user, cursor)
	}
	if err != nil {
		h.logger.ErrorContext(ctx, "sse stream position", "error", err)
		http.Error(w, "stream unavailable", http.StatusServiceUnavailable)
		return
	}
	h.conns.Inc()
	defer h.conns.Dec()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if err := h.write(rc, w, fmt.Sprintf("retry: %d\n: connected\n\n", retryMillis)); err != nil {
		return
	}
	if missed {
		// Say so rather than pretend the replay is complete: the page can reload what it shows.
		if err := h.write(rc, w, "event: "+EventReset+"\ndata: {\"reason\":\"some events were older than the kept history\"}\n\n"); err != nil {
			return
		}
	}
	if err := h.stream(ctx, rc, w, claims, cursor, sub); err != nil && ctx.Err() == nil {
		h.logger.DebugContext(ctx, "sse stream ended", "error", err)
	}
}

// stream writes events after cursor, then every new one, until the client goes or falls behind,
// the token expires or the user's streams are revoked.
func (h *Handler) stream(ctx context.Context, rc *http.ResponseController, w http.ResponseWriter, claims ssetoken.Claims, cursor string, sub *Subscription) error {
	user := claims.User
	heartbeat := time.NewTicker(h.cfg.Heartbeat)
	defer heartbeat.Stop()
	// The deadline comes from the injected clock, so a test's clock decides how long is left.
	expiry := time.NewTimer(claims.ExpiresAt.Sub(h.now()))
	defer expiry.Stop()
	for {
		for {
			evs, err := h.store.Read(ctx, user, cursor, readBatch)
			if err != nil {
				return err
			}
			if len(evs) > 0 {
				// One write and one flush for all of them: a busy user's events come in bursts.
				var b strings.Builder
				for _, ev := range evs {
					b.WriteString(formatEvent(ev))
				}
				if err := h.write(rc, w, b.String()); err != nil {
					return err
				}
				cursor = evs[len(evs)-1].ID
				h.events.Add(float64(len(evs)))
			}
			if len(evs) < readBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-h.closing:
			return nil
		case <-sub.Poke:
		case <-expiry.C:
			// With the stream's position as its id: a client that has seen no event yet resumes
			// from here too.
			return h.write(rc, w, "id: "+cursor+"\nevent: "+EventExpired+"\ndata: {\"reason\":\"token expired\"}\n\n")
		case <-sub.Recheck:
			revoked, err := h.store.revoked(ctx, claims)
			if err != nil {
				return err
			}
			if revoked {
				return h.write(rc, w, "event: "+EventRevoked+"\ndata: {\"reason\":\"access revoked\"}\n\n")
			}
		case <-heartbeat.C:
			if err := h.write(rc, w, ": heartbeat\n\n"); err != nil {
				return err
			}
		}
	}
}

func (h *Handler) write(rc *http.ResponseController, w http.ResponseWriter, s string) error {
	if err := rc.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("set write deadline: %w", err)
	}
	if _, err := w.Write([]byte(s)); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	if err := rc.Flush(); err != nil {
		return fmt.Errorf("flush event: %w", err)
	}
	return nil
}

// formatEvent renders one event. Data is JSON (no raw newlines), so one data line suffices.
func formatEvent(ev Event) string {
	return "id: " + ev.ID + "\nevent: notification\ndata: " + string(ev.Data) + "\n\n"
}
