package deadletter

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/deadletter/letter"
	"fmn/internal/rabbit"
	"fmn/internal/settle"
)

// StageBroker is the stage of a dead letter the broker made (a message past its queue's
// delivery limit, see rabbit.DeliveryLimit), which has no x-fmn-stage header.
const StageBroker = "broker"

// headerDeliveryCount is the header a quorum queue sets on a redelivered message.
const headerDeliveryCount = "x-delivery-count"

// DefaultMaxBody caps the body an archived dead letter keeps. The stages bound what they accept
// well below it; a longer body is cut and the letter marked truncated.
const DefaultMaxBody = 256 << 10

// knownStages are the stage label values of the archived metric; any other stage counts as
// "other", so a stray header cannot grow the metric without bound.
var knownStages = map[string]bool{
	"consumer": true, "worker": true, "backend-sse": true, "backend-email": true, "backend-irc": true, StageBroker: true,
}

// stageLabel bounds the stage label.
func stageLabel(stage string) string {
	if knownStages[stage] {
		return stage
	}
	return "other"
}

// Archived is a dead letter as the archiver stores it.
type Archived struct {
	// Hash identifies the delivery: SHA-256 over its properties, headers and body.
	Hash               [32]byte
	Stage              string
	Reason             string
	OriginalExchange   string
	OriginalRoutingKey string
	MessageID          string
	ContentType        string
	// Headers are the delivery's headers as JSON (see HeadersJSON).
	Headers []byte
	// Body is the delivery's body, cut at the archiver's cap.
	Body      []byte
	Size      int
	Truncated bool
	DeadAt    time.Time
}

// FromDelivery describes a delivery of the dead-letter queue for the archive, keeping at most
// maxBody bytes of its body. A letter without fmn's headers was dead-lettered by the broker:
// its stage is StageBroker and the rest comes from the x-death header. archivedAt stands in for a
// missing or unreadable death time.
func FromDelivery(d amqp.Delivery, maxBody int, archivedAt time.Time) Archived {
	headers, _ := json.Marshal(HeadersJSON(d.Headers)) // cannot fail: HeadersJSON yields JSON values
	a := Archived{
		MessageID:   d.MessageId,
		ContentType: d.ContentType,
		Headers:     headers,
		Body:        d.Body,
		Size:        len(d.Body),
		DeadAt:      archivedAt,
	}
	if len(a.Body) > maxBody {
		a.Body, a.Truncated = a.Body[:maxBody], true
	}
	// The hash leaves out x-delivery-count, which a quorum queue adds to a redelivery.
	stable := HeadersJSON(d.Headers)
	delete(stable, headerDeliveryCount)
	stableJSON, _ := json.Marshal(stable)
	h := sha256.New()
	for _, s := range []string{d.Exchange, d.RoutingKey, d.MessageId, d.ContentType, d.Type, d.Timestamp.UTC().String()} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	fmt.Fprintf(h, "%d:%s\n%d:", len(stableJSON), stableJSON, len(d.Body))
	h.Write(d.Body)
	copy(a.Hash[:], h.Sum(nil))

	if stage, ok := d.Headers[letter.HeaderStage].(string); ok && stage != "" {
		a.Stage = stage
		a.Reason, _ = d.Headers[letter.HeaderReason].(string)
		a.OriginalExchange, _ = d.Headers[letter.HeaderOriginalExchange].(string)
		a.OriginalRoutingKey, _ = d.Headers[letter.HeaderOriginalRoutingKey].(string)
		if at, ok := d.Headers[letter.HeaderDeadAt].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
				a.DeadAt = t
			}
		}
	} else {
		a.Stage = StageBroker
		a.Reason = "dead-lettered by the broker"
		a.OriginalExchange, a.OriginalRoutingKey = d.Exchange, d.RoutingKey
		if deaths, ok := d.Headers["x-death"].([]any); ok && len(deaths) > 0 {
			if death, ok := deaths[0].(amqp.Table); ok {
				reason, _ := death["reason"].(string)
				queue, _ := death["queue"].(string)
				a.Reason = fmt.Sprintf("dead-lettered by the broker: %s in queue %s", reason, queue)
				if ex, ok := death["exchange"].(string); ok {
					a.OriginalExchange = ex
				}
				if keys, ok := death["routing-keys"].([]any); ok && len(keys) > 0 {
					if k, ok := keys[0].(string); ok {
						a.OriginalRoutingKey = k
					}
				}
				if t, ok := death["time"].(time.Time); ok {
					a.DeadAt = t
				}
			}
		}
	}
	a.Stage = cut(a.Stage, 64)
	a.Reason = cut(a.Reason, 1000)
	a.OriginalExchange = cut(a.OriginalExchange, 255)
	a.OriginalRoutingKey = cut(a.OriginalRoutingKey, 255)
	return a
}

// cut shortens s to at most n bytes.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// HeadersJSON turns AMQP headers into JSON values: times become RFC 3339 strings, byte slices
// base64 strings, decimals their decimal text; tables and arrays are converted recursively.
func HeadersJSON(t amqp.Table) map[string]any {
	out := make(map[string]any, len(t))
	for k, v := range t {
		out[k] = valueJSON(v)
	}
	return out
}

func valueJSON(v any) any {
	switch v := v.(type) {
	case amqp.Table:
		return HeadersJSON(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = valueJSON(e)
		}
		return out
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []byte:
		return base64.StdEncoding.EncodeToString(v)
	case amqp.Decimal:
		return fmt.Sprintf("%de-%d", v.Value, v.Scale)
	case nil, string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// ArchiverConfig configures an Archiver.
type ArchiverConfig struct {
	// Queue is the dead-letter queue.
	Queue string
	// Batch bounds the letters archived in one transaction; zero means 16.
	Batch int
	// MaxBody caps a stored body; zero means DefaultMaxBody.
	MaxBody int
}

// Archiver moves dead letters from the dead-letter queue into the Store. Several may run (one per
// web replica): they share the queue's deliveries.
type Archiver struct {
	cfg       ArchiverConfig
	store     *Store
	conn      *rabbit.Conn
	logger    *slog.Logger
	now       func() time.Time
	beforeAck func(context.Context)
	archived  *prometheus.CounterVec
}

// NewArchiver returns an archiver consuming cfg.Queue on conn. beforeAck may be nil (see
// service.Deps.BeforeAck).
func NewArchiver(cfg ArchiverConfig, store *Store, conn *rabbit.Conn, logger *slog.Logger, reg prometheus.Registerer,
	now func() time.Time, beforeAck func(context.Context)) *Archiver {
	if cfg.Batch <= 0 {
		cfg.Batch = 16
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	return &Archiver{cfg: cfg, store: store, conn: conn, logger: logger.With("queue", cfg.Queue), now: now, beforeAck: beforeAck,
		archived: promauto.With(reg).NewCounterVec(prometheus.CounterOpts{
			Name: "fmn_deadletters_archived_total",
			Help: "Dead letters moved from the dead-letter queue into the database, by stage (consumer, worker, backend-*, broker, other).",
		}, []string{"stage"}),
	}
}

// Run archives until ctx ends.
func (a *Archiver) Run(ctx context.Context) error {
	return a.conn.ConsumeBatches(ctx, rabbit.ConsumeOptions{Queue: a.cfg.Queue, Prefetch: 2 * a.cfg.Batch, MaxBatch: a.cfg.Batch}, a.handle)
}

// handle stores a batch, then acks it.
func (a *Archiver) handle(ctx context.Context, batch []amqp.Delivery) {
	now := a.now()
	letters := make([]Archived, len(batch))
	for i, d := range batch {
		letters[i] = FromDelivery(d, a.cfg.MaxBody, now)
	}
	settle.Batch(ctx, batch, func(ctx context.Context) error {
		added, err := a.store.Insert(ctx, letters)
		if err != nil {
			return err
		}
		for _, l := range added {
			a.archived.WithLabelValues(stageLabel(l.Stage)).Inc()
			a.logger.InfoContext(ctx, "dead letter archived", "stage", l.Stage, "message_id", l.MessageID,
				"original_routing_key", l.OriginalRoutingKey, "reason", l.Reason)
		}
		return nil
	}, func(attempt int, err error) {
		if attempt == 0 {
			a.logger.WarnContext(ctx, "archive dead letters; retrying", "error", err)
		}
	}, a.beforeAck)
}
