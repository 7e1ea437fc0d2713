// Package config reads fmn's configuration from environment variables. Each binary builds its own
// Config from the shared sections here; values are parsed once in main, validated, and passed down.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"fmn/internal/rabbit"
)

// LookupFunc looks an environment variable up, like os.LookupEnv.
type LookupFunc func(key string) (string, bool)

// Reader reads typed values and collects every problem, so one run reports them all.
type Reader struct {
	lookup LookupFunc
	errs   []error
}

// NewReader returns a Reader over lookup.
func NewReader(lookup LookupFunc) *Reader { return &Reader{lookup: lookup} }

// Err returns every problem seen so far, joined.
func (r *Reader) Err() error { return errors.Join(r.errs...) }

// Fail records a validation problem.
func (r *Reader) Fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
}

// String returns the variable, or def when unset or empty.
func (r *Reader) String(key, def string) string {
	if v, ok := r.lookup(key); ok && v != "" {
		return v
	}
	return def
}

// Secret returns the variable, or the contents of the file named by KEY_FILE, or def.
func (r *Reader) Secret(key, def string) Secret {
	if v, ok := r.lookup(key); ok && v != "" {
		return Secret(v)
	}
	if p, ok := r.lookup(key + "_FILE"); ok && p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			r.Fail(key+"_FILE", "read %s: %v", p, err)
			return ""
		}
		return Secret(strings.TrimSpace(string(b)))
	}
	return Secret(def)
}

// Int returns the variable as an int, or def.
func (r *Reader) Int(key string, def int) int {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.Fail(key, "%q is not an integer", v)
		return def
	}
	return n
}

// Float returns the variable as a number, or def.
func (r *Reader) Float(key string, def float64) float64 {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.Fail(key, "%q is not a number", v)
		return def
	}
	return f
}

// Bool returns the variable as a bool, or def.
func (r *Reader) Bool(key string, def bool) bool {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.Fail(key, "%q is not a boolean", v)
		return def
	}
	return b
}

// Duration returns the variable as a time.Duration ("250ms", "5s"), or def.
func (r *Reader) Duration(key string, def time.Duration) time.Duration {
	v, ok := r.lookup(key)
	if !ok || v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.Fail(key, "%q is not a duration", v)
		return def
	}
	return d
}

// Durations returns a comma-separated list of durations, each at least least, or def.
func (r *Reader) Durations(key string, def []time.Duration, least time.Duration) []time.Duration {
	raw := r.List(key, nil)
	if raw == nil {
		return def
	}
	var out []time.Duration
	for _, s := range raw {
		d, err := time.ParseDuration(s)
		if err != nil || d < least {
			r.Fail(key, "%q is not a duration of at least %s", s, least)
			continue
		}
		out = append(out, d)
	}
	return out
}

// List returns a comma-separated variable as a list, or def.
func (r *Reader) List(key string, def []string) []string {
	v, ok := r.lookup(key)
	if !ok || strings.TrimSpace(v) == "" {
		return def
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Secret is a string that never prints itself.
type Secret string

// String implements fmt.Stringer with a redacted value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<redacted>"
}

// MarshalJSON redacts the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// Value returns the secret itself; call it only where the secret is used.
func (s Secret) Value() string { return string(s) }

// URL is a connection URL whose password never prints.
type URL string

// String implements fmt.Stringer with the password redacted.
func (u URL) String() string {
	p, err := url.Parse(string(u))
	if err != nil {
		return "<unparsable url>"
	}
	return p.Redacted()
}

// MarshalJSON redacts the password.
func (u URL) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(u.String())), nil }

// Default connection settings: this machine's services and docker-compose's service names are
// both reachable through these variables.
const (
	DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/fmn?sslmode=disable"
	DefaultAMQPURL     = "amqp://guest:guest@127.0.0.1:5672/"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
)

// DefaultMaxConns is the database pool size: enough for a snapshot's parallel reads alongside
// the process's other queries.
const DefaultMaxConns = 10

// Postgres is the database section.
type Postgres struct {
	URL URL // FMN_DATABASE_URL, default DefaultPostgresURL
	// MaxConns bounds the connection pool (FMN_DATABASE_MAX_CONNS, default DefaultMaxConns).
	MaxConns int
}

// AMQP is the broker section.
type AMQP struct {
	URL URL // FMN_AMQP_URL, default DefaultAMQPURL
	// Prefix is prepended to every fmn exchange and queue name (FMN_AMQP_PREFIX, default empty);
	// useful to run several fmn instances on one broker.
	Prefix string
}

// Redis is the cache section.
type Redis struct {
	URL URL // FMN_REDIS_URL, default DefaultRedisURL
	// Prefix namespaces every key (FMN_REDIS_PREFIX, default "fmn:").
	Prefix string
}

// Log is the logging section.
type Log struct {
	Level  string // FMN_LOG_LEVEL: debug, info (default), warn, error
	Format string // FMN_LOG_FORMAT: text (default) or json
}

// ReadPostgres reads the database section.
func ReadPostgres(r *Reader) Postgres {
	p := Postgres{URL: URL(r.Secret("FMN_DATABASE_URL", DefaultPostgresURL).Value()), MaxConns: r.Int("FMN_DATABASE_MAX_CONNS", DefaultMaxConns)}
	if p.MaxConns < 2 {
		r.Fail("FMN_DATABASE_MAX_CONNS", "must be at least 2")
	}
	return p
}

// ReadAMQP reads the broker section.
func ReadAMQP(r *Reader) AMQP {
	return AMQP{
		URL:    URL(r.Secret("FMN_AMQP_URL", DefaultAMQPURL).Value()),
		Prefix: r.String("FMN_AMQP_PREFIX", ""),
	}
}

// ReadRedis reads the cache section.
func ReadRedis(r *Reader) Redis {
	return Redis{
		URL:    URL(r.Secret("FMN_REDIS_URL", DefaultRedisURL).Value()),
		Prefix: r.String("FMN_REDIS_PREFIX", "fmn:"),
	}
}

// ReadLog reads the logging section.
func ReadLog(r *Reader) Log {
	l := Log{Level: r.String("FMN_LOG_LEVEL", "info"), Format: r.String("FMN_LOG_FORMAT", "text")}
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		r.Fail("FMN_LOG_LEVEL", "%q is not one of debug, info, warn, error", l.Level)
	}
	switch l.Format {
	case "text", "json":
	default:
		r.Fail("FMN_LOG_FORMAT", "%q is not one of text, json", l.Format)
	}
	return l
}

// ReadTopology builds the broker topology from the AMQP prefix and the bus settings
// (FMN_BUS_EXCHANGE, default amq.topic; FMN_BUS_BINDINGS, comma-separated, default "#").
func ReadTopology(r *Reader, a AMQP) rabbit.Topology {
	t := rabbit.DefaultTopology()
	if a.Prefix != "" {
		t = t.Prefixed(a.Prefix)
	}
	t.BusExchange = r.String("FMN_BUS_EXCHANGE", rabbit.DefaultTopology().BusExchange)
	t.BusBindings = r.List("FMN_BUS_BINDINGS", t.BusBindings)
	if !r.Bool("FMN_ARCHIVE", true) { // every process must agree: all declare the topology
		t.ArchiveQueue = ""
	}
	return t
}

// Batch is how a stage takes deliveries off its queue: up to Prefetch unacked, handed over in
// batches of up to MaxBatch, waiting up to Linger for a batch to fill.
type Batch struct {
	Prefetch int
	MaxBatch int
	Linger   time.Duration
}

// ReadBatch reads PREFIX_PREFETCH, PREFIX_BATCH and PREFIX_LINGER, with def's values as defaults.
func ReadBatch(r *Reader, prefix string, def Batch) Batch {
	b := Batch{
		Prefetch: r.Int(prefix+"_PREFETCH", def.Prefetch),
		MaxBatch: r.Int(prefix+"_BATCH", def.MaxBatch),
		Linger:   r.Duration(prefix+"_LINGER", def.Linger),
	}
	if b.MaxBatch < 1 {
		r.Fail(prefix+"_BATCH", "must be at least 1")
	}
	if b.Prefetch < b.MaxBatch {
		r.Fail(prefix+"_PREFETCH", "must be at least %s_BATCH", prefix)
	}
	return b
}
