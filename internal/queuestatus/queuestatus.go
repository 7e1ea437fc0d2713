// Package queuestatus samples the broker's queues in the background for the operator status page
// (the old fedmsg-health view) and for the fmn_queue_* metrics: ready and unacked messages,
// consumers, and message rates of every queue in the topology.
//
// Each poll asks RabbitMQ's management HTTP API when one is configured (it has unacked counts,
// publish/deliver/ack rates and lists the workers' private prefs queues), and falls back to AMQP
// passive declares otherwise or when the API fails (ready messages and consumers only). Every
// Queue says which source its figures came from. Readers get the latest Snapshot from memory and
// never wait on the broker.
package queuestatus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/rabbit"
)

// Where a Queue's figures came from, the values of Queue.Source.
const (
	// SourceManagement: RabbitMQ's management HTTP API. Every field is filled in; the API
	// refreshes its figures every few seconds (collect_statistics_interval), so they lag a little.
	SourceManagement = "management"
	// SourceAMQP: an AMQP passive declare. Ready and Consumers are exact at the time of the poll;
	// Unacked, PublishRate, DeliverRate and AckRate are unknown and zero.
	SourceAMQP = "amqp"
)

// Roles of the queues, the values of Queue.Role.
const (
	RoleBus        = "bus"         // the consumer's queue on the bus exchange
	RoleArchive    = "archive"     // the consumer's archiver's queue on the bus exchange
	RoleWork       = "work"        // consumer -> workers
	RoleDeliver    = "deliver"     // workers -> backends, one per channel (Queue.Channel)
	RoleRetry      = "retry"       // a backend's delay queue, one per channel and delay
	RoleDeadLetter = "dead-letter" // what every other queue dead-letters to
	RolePrefs      = "prefs"       // one worker's private preference-change queue
)

// pollTimeout bounds one poll, so a hung broker or API delays the next sample, not forever.
const pollTimeout = 10 * time.Second

// maxAPIBody bounds a management API response; a vhost with tens of thousands of queues still fits.
const maxAPIBody = 32 << 20

// Queue is one queue's state at the time of a Snapshot.
type Queue struct {
	// Name is the queue's name on the broker.
	Name string `json:"name"`
	// Role is what the queue is for: RoleBus, RoleWork, RoleDeliver, RoleRetry, RoleDeadLetter or
	// RolePrefs.
	Role string `json:"role"`
	// Channel is the delivery channel ("email", "irc", "sse") of a deliver or retry queue.
	Channel string `json:"channel,omitempty"`
	// Ready is the number of messages waiting for a consumer.
	Ready int `json:"ready"`
	// Unacked is the number of messages delivered to consumers and not yet acked (management
	// source only).
	Unacked int `json:"unacked"`
	// Consumers is the number of consumers. Every fmn process consumes a queue with one consumer,
	// so this counts processes: workers on the work queue, consumers on the bus queue, backends
	// delivering a channel on its deliver queue, web replicas (the archivers) on the dead-letter
	// queue, and one (its worker) on a prefs queue.
	Consumers int `json:"consumers"`
	// PublishRate, DeliverRate and AckRate are messages per second published to, delivered from
	// (deliver_get) and acked on the queue, as the management API computes them (management
	// source only).
	PublishRate float64 `json:"publish_rate"`
	DeliverRate float64 `json:"deliver_rate"`
	AckRate     float64 `json:"ack_rate"`
	// ReadyRate is the change of Ready per second since the previous sample, computed by the
	// Sampler from both sources: positive while a backlog grows. HasReadyRate is false on the first
	// sample of a queue and when either sample is missing.
	ReadyRate    float64 `json:"ready_rate"`
	HasReadyRate bool    `json:"has_ready_rate"`
	// Missing is true when the queue does not exist on the broker; every figure is then zero.
	Missing bool `json:"missing"`
	// Source is where the figures came from: SourceManagement or SourceAMQP.
	Source string `json:"source"`
}

// Snapshot is the result of one poll.
type Snapshot struct {
	// At is when the poll started; zero before the first poll finished.
	At time.Time `json:"at"`
	// Queues are the topology's queues in rabbit.Topology.Queues order, then the workers' prefs
	// queues by name (only listed through the management API).
	Queues []Queue `json:"queues"`
	// Err says what went wrong, empty when nothing did. With the management API failing and the
	// AMQP fallback working, Queues is filled and Err names the API error; with both failing,
	// Queues is empty. Err never contains credentials.
	Err string `json:"error,omitempty"`
}

// Deps holds a Sampler's collaborators.
type Deps struct {
	// Conn is the process's broker connection, used for passive declares.
	Conn *rabbit.Conn
	// Logger receives poll failures, each only when it differs from the previous one; nil
	// discards them.
	Logger *slog.Logger
	// Registerer receives the fmn_queue_* gauges; nil registers nothing.
	Registerer prometheus.Registerer
	// HTTPClient calls the management API; nil means a client of its own. Polls bound each call
	// with a deadline.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Sampler polls the broker every Config.Poll and keeps the latest Snapshot. It is safe for
// concurrent use.
type Sampler struct {
	cfg    Config
	api    *apiEndpoint // nil without a management API
	top    rabbit.Topology
	roles  map[string]role
	conn   *rabbit.Conn
	client *http.Client
	logger *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	latest Snapshot
}

// role is a topology queue's Role and Channel.
type role struct{ role, channel string }

// New returns a Sampler of top's queues; Run starts its polls. It fails on an invalid cfg or when
// the gauges cannot be registered.
func New(cfg Config, top rabbit.Topology, deps Deps) (*Sampler, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Vhost == "" {
		cfg.Vhost = "/"
	}
	if deps.Conn == nil {
		return nil, errors.New("queue status: no broker connection")
	}
	s := &Sampler{
		cfg:    cfg,
		top:    top,
		roles:  roles(top),
		conn:   deps.Conn,
		client: deps.HTTPClient,
		logger: deps.Logger,
		now:    deps.Now,
	}
	if cfg.APIURL != "" {
		e, err := parseAPIURL(cfg.APIURL)
		if err != nil {
			return nil, fmt.Errorf("management api url: %w", err)
		}
		s.api = &e
	}
	if s.client == nil {
		s.client = &http.Client{}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.logger = s.logger.With("component", "queuestatus")
	if s.now == nil {
		s.now = time.Now
	}
	if deps.Registerer != nil {
		if err := deps.Registerer.Register(newCollector(s)); err != nil {
			return nil, fmt.Errorf("register queue status metrics: %w", err)
		}
	}
	return s, nil
}

// roles names the role of each of top's queues.
func roles(top rabbit.Topology) map[string]role {
	r := map[string]role{
		top.BusQueue:        {role: RoleBus},
		top.ArchiveQueue:    {role: RoleArchive},
		top.WorkQueue:       {role: RoleWork},
		top.DeadLetterQueue: {role: RoleDeadLetter},
	}
	for channel, q := range top.DeliverQueues {
		r[q] = role{role: RoleDeliver, channel: channel}
	}
	for channel, delays := range top.RetryDelays {
		for _, d := range delays {
			r[top.RetryQueue(channel, d)] = role{role: RoleRetry, channel: channel}
		}
	}
	return r
}

// Latest returns the result of the last finished poll (a zero Snapshot before the first). It
// never waits on the broker. The caller may keep the Snapshot; it is not modified later.
func (s *Sampler) Latest() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latest
}

// Run polls at once and then every Config.Poll until ctx ends, and returns nil then. Poll
// failures end up in Snapshot.Err, never in Run's result.
func (s *Sampler) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	var lastErr string
	for {
		snap := s.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if snap.Err != lastErr {
			if snap.Err != "" {
				s.logger.WarnContext(ctx, "sample queues", "error", snap.Err)
			} else {
				s.logger.InfoContext(ctx, "sampling queues again")
			}
			lastErr = snap.Err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll samples the broker once, now, stores the result as the latest Snapshot and returns it.
// Run calls it; tests may too. It waits on the broker (up to 10 s): page renders call Latest.
func (s *Sampler) Poll(ctx context.Context) Snapshot {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	snap := Snapshot{At: s.now()}
	var errs []error
	if s.api != nil {
		qs, err := s.fromAPI(ctx)
		if err == nil {
			snap.Queues = qs
		} else {
			errs = append(errs, fmt.Errorf("management api (falling back to amqp): %w", err))
		}
	}
	if snap.Queues == nil {
		qs, err := s.fromAMQP(ctx)
		if err != nil {
			errs = append(errs, err)
		}
		snap.Queues = qs
	}
	if err := errors.Join(errs...); err != nil {
		snap.Err = err.Error()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	readyRates(snap, s.latest)
	s.latest = snap
	return snap
}

// readyRates fills in the ReadyRate of snap's queues (in place: they share snap.Queues' array)
// from the previous snapshot.
func readyRates(snap, prev Snapshot) {
	secs := snap.At.Sub(prev.At).Seconds()
	if prev.At.IsZero() || secs <= 0 {
		return
	}
	before := make(map[string]Queue, len(prev.Queues))
	for _, q := range prev.Queues {
		before[q.Name] = q
	}
	for i := range snap.Queues {
		q := &snap.Queues[i]
		p, ok := before[q.Name]
		if !ok || p.Missing || q.Missing {
			continue
		}
		q.ReadyRate = float64(q.Ready-p.Ready) / secs
		q.HasReadyRate = true
	}
}

// topologyQueue returns the Queue of name with its role filled in.
func (s *Sampler) topologyQueue(name, source string) Queue {
	r := s.roles[name]
	return Queue{Name: name, Role: r.role, Channel: r.channel, Source: source}
}

// sortedNames returns the keys of m in order, for a stable order on the page.
func sortedNames(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
