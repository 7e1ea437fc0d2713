// Package loadtest measures the whole fmn pipeline (issue #9): it creates a synthetic population
// in a database of its own, starts the consumer, W workers and a backend as real processes on the
// machine's PostgreSQL, RabbitMQ and Redis, publishes real-shaped bus messages as fast as the
// broker takes them or at a fixed rate, holds SSE streams open for a sample of users, and reports
// drain time, messages/s, notifications/s, each queue's largest backlog, bus-to-SSE latency and
// CPU seconds per process. It checks that every notification the filters call for was delivered
// exactly once. Beside it, in the same run, it measures the broker's transport ceiling.
package loadtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"fmn/internal/backend"
	"fmn/internal/cli"
	"fmn/internal/corpus"
	"fmn/internal/notify/sse"
	"fmn/internal/rabbit"
	"fmn/internal/ssetoken"
	"fmn/internal/testkit/testproc"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// Config is one load run.
type Config struct {
	// AMQPURL, PostgresURL (a maintenance database such as postgres: the run creates its own)
	// and RedisURL locate the machine's services.
	AMQPURL, PostgresURL, RedisURL string
	// Database is the database the run drops, creates and fills.
	Database string
	// Prefix starts the run's queue, exchange and Redis key names (default DefaultPrefix).
	Prefix string
	// BinDir holds the consumer, worker and backend binaries.
	BinDir string
	// Users is the population's size; Seed makes it. Heavy, between 0 and 1, is the share of
	// users who also get a filter that is verified on every message (matching-bound runs).
	Users int
	Seed  uint64
	Heavy float64
	// Messages is the number of bus messages of each phase.
	Messages int
	// Workers lists the worker counts: one phase at full speed for each.
	Workers []int
	// Rate, when above 0, publishes every phase at that many messages/s instead of full speed.
	Rate float64
	// LatencyFraction, when above 0, adds a last phase at that fraction of the best rate
	// measured, with the most workers, for its latency; of LatencyMessages messages (default
	// Messages).
	LatencyFraction float64
	LatencyMessages int
	// SSEClients is the number of users whose streams are held open (spread over the users
	// with notifications).
	SSEClients int
	// Archive keeps the consumer's archiver on, as in production.
	Archive bool
	// Ceiling measures the transport ceiling first.
	Ceiling bool
	// ProfileDir, when set, receives a CPU profile of every process (ProfileSeconds long, from
	// the start of each full-speed phase): PHASE-PROCESS.pprof, for go tool pprof.
	ProfileDir     string
	ProfileSeconds int
	// Chaos, when above 0, kills one of the fmn processes (the consumer, a worker or the
	// backend, chosen at random) with SIGKILL every Chaos during the full-speed phases and
	// restarts it; the phase then waits for the streams themselves to hold every notification and
	// checks that nothing was lost or doubled. Those phases hold no SSE clients (their streams
	// would not survive the kills), and their CPU figures miss the killed processes.
	Chaos time.Duration
	// Faults, when set, are injected one after another during every phase (see Fault): the run
	// then brings its own PostgreSQL cluster, Redis, mailpit (behind a gate that can refuse SMTP)
	// and ergo, gives MailUsers users an email address and IRCUsers users an IRC nick besides their
	// stream, and checks every sink once the faults are over and the queues empty: the users' SSE
	// streams, mailpit, the IRC receivers and the delivery ledger. FaultGap is the mean pause
	// before each fault (default 3 s). Like Chaos, it holds no SSE clients.
	Faults              []Fault
	FaultGap            time.Duration
	MailUsers, IRCUsers int
	// EmailRetryDelays and IRCRetryDelays, when set, replace the backend's retry delays.
	EmailRetryDelays, IRCRetryDelays []time.Duration
	// RestartBroker restarts RabbitMQ for FaultRabbitMQ (default: rabbitmqctl stop_app and
	// start_app on this machine).
	RestartBroker func(context.Context) error
	// Timeout bounds each phase's drain.
	Timeout time.Duration
	// Logs receives the processes' output; Progress one line per step.
	Logs, Progress io.Writer
}

// Report is a run's result.
type Report struct {
	Machine      string        `json:"machine"`
	Users        int           `json:"users"`
	Filters      int           `json:"filters"`
	Heavy        float64       `json:"heavy_share,omitempty"`
	Messages     int           `json:"messages"`
	PayloadBytes int           `json:"payload_bytes"`
	Archive      bool          `json:"archive"`
	Ceiling      *Ceiling      `json:"ceiling,omitempty"`
	Phases       []PhaseResult `json:"phases"`
}

// PhaseResult is one phase: a fresh set of processes draining Messages messages.
type PhaseResult struct {
	Name    string  `json:"name"`
	Workers int     `json:"workers"`
	Rate    float64 `json:"target_rate,omitempty"`
	// Messages is the number of bus messages published.
	Messages int `json:"messages"`
	// Expected is the notifications the filters call for; Delivered those stored once; Lost,
	// Duplicated and Unexpected must be 0.
	Expected   int `json:"expected"`
	Delivered  int `json:"delivered"`
	Lost       int `json:"lost"`
	Duplicated int `json:"duplicated"`
	Unexpected int `json:"unexpected"`
	// DrainSeconds runs from the first publish to the last notification stored.
	DrainSeconds float64 `json:"drain_s"`
	MsgPerSec    float64 `json:"msg_per_s"`
	NotifPerSec  float64 `json:"notifications_per_s"`
	// CeilingRatio is MsgPerSec over the single-hop ceiling.
	CeilingRatio float64            `json:"ceiling_ratio,omitempty"`
	MaxBacklog   map[string]int     `json:"max_backlog"`
	Latency      Latency            `json:"latency"`
	CPUSeconds   map[string]float64 `json:"cpu_s"`
	// MatchMicros is the workers' mean time to match one message, from their histograms.
	MatchMicros float64 `json:"match_us"`
	// Kills counts the processes killed and restarted during the phase, by name.
	Kills map[string]int `json:"kills,omitempty"`
	// Faults are the faults injected (Config.Faults); Sinks what each sink received. With
	// faults, Lost, Duplicated and Unexpected add up every sink.
	Faults []FaultResult `json:"faults,omitempty"`
	Sinks  []SinkResult  `json:"sinks,omitempty"`
	Errors []string      `json:"errors,omitempty"`
}

// SinkResult is what one sink received against what the filters call for: the users' SSE
// streams (sse), mailpit (email), the IRC receivers (irc, compared line by line per nick) or the
// delivery ledger's email and IRC rows (ledger).
type SinkResult struct {
	Name       string `json:"name"`
	Expected   int    `json:"expected"`
	Delivered  int    `json:"delivered"`
	Lost       int    `json:"lost"`
	Duplicated int    `json:"duplicated"`
	Unexpected int    `json:"unexpected"`
	// Differences shows the first few notifications lost, duplicated or unexpected.
	Differences []string `json:"differences,omitempty"`
}

// maxDifferences bounds SinkResult.Differences.
const maxDifferences = 10

// compareSink compares what a sink received (key → times) with what it should have (key →
// times); detail, when set, adds to each difference shown (when the key arrived, say).
func compareSink(name string, want, got map[string]int, detail func(key string) string) SinkResult {
	r := SinkResult{Name: name}
	for _, n := range want {
		r.Expected += n
	}
	show := func(format string, args ...any) {
		if len(r.Differences) < maxDifferences {
			r.Differences = append(r.Differences, fmt.Sprintf(format, args...))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		n, w := got[k], want[k]
		more := ""
		if detail != nil {
			more = detail(k)
		}
		switch {
		case w == 0:
			r.Unexpected += n
			show("unexpected: %s%s", k, more)
		case n > w:
			r.Delivered += w
			r.Duplicated += n - w
			show("received %d times, expected %d: %s%s", n, w, k, more)
		default:
			r.Delivered += n
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] < want[k] {
			show("lost %d: %s", want[k]-got[k], k)
		}
	}
	r.Lost = r.Expected - r.Delivered
	return r
}

// DefaultPrefix starts the names of a run's queues, exchanges and Redis keys, apart from a
// running fmn's.
const DefaultPrefix = "fmnload"

// sseSecret signs the run's stream tokens, and muteSecret its emails' mute links: two secrets,
// as the backend refuses one secret for two purposes.
const (
	sseSecret  = "fmnload-secret-fmnload-secret-fmnload!"
	muteSecret = "fmnload-mute-fmnload-mute-fmnload-mute!"
)

// amqpPrefix and redisPrefix are what the run's names start with.
func (c Config) amqpPrefix() string  { return cmp.Or(c.Prefix, DefaultPrefix) + "." }
func (c Config) redisPrefix() string { return cmp.Or(c.Prefix, DefaultPrefix) + ":" }

// Run performs the run.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	logf := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, time.Now().Format("15:04:05 ")+format+"\n", args...)
		}
	}
	bins, err := binaries(cfg.BinDir)
	if err != nil {
		return nil, err
	}
	recs, err := corpus.LoadDefault()
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}

	logf("population: %d users (seed %d, heavy share %.2f)", cfg.Users, cfg.Seed, cfg.Heavy)
	p := makePopulation(cfg)
	var svc *faultServices
	if len(cfg.Faults) > 0 {
		logf("fault services: a PostgreSQL cluster, Redis, mailpit and ergo of the run's own")
		if svc, err = startFaultServices(ctx, cfg.Database, cfg.Logs); err != nil {
			return nil, err
		}
		defer svc.close()
		cfg.PostgresURL, cfg.RedisURL = svc.pg.url(), svc.redisURL
	}
	dbURL, err := freshDatabase(ctx, cfg.PostgresURL, cfg.Database)
	if err != nil {
		return nil, err
	}
	st, err := loadPopulation(ctx, dbURL, p)
	if err != nil {
		return nil, err
	}
	logf("loaded %d users, %d destinations, %d filters, %d ownership rows", st.Users, st.Destinations, st.Filters, st.Ownership)
	snap, matcher, err := storedPreferences(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	ts := templates(recs, p)
	var nicks []string
	if svc != nil {
		if nicks, err = addSinkUsers(ctx, cfg, dbURL, ts, snap, matcher); err != nil {
			return nil, err
		}
		if snap, matcher, err = storedPreferences(ctx, dbURL); err != nil {
			return nil, err
		}
	}

	rep := &Report{Machine: machine(), Users: st.Users, Filters: st.Filters, Heavy: cfg.Heavy, Messages: cfg.Messages, Archive: cfg.Archive}
	conn, err := rabbit.Dial(rabbit.Config{URL: cfg.AMQPURL, ConnectionName: "fmnbench-load"}, rabbit.Deps{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.WaitReady(ctx); err != nil {
		return nil, err
	}
	ropts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(ropts)
	defer rdb.Close()

	if cfg.Ceiling {
		tr, err := makeTraffic(ts, cfg.Messages, "ceiling", nil, nil, time.Now())
		if err != nil {
			return nil, err
		}
		c := &Ceiling{Messages: cfg.Messages, PayloadBytes: tr.payloadBytes}
		logf("transport ceiling: one hop")
		if c.SingleHop, err = measureCeiling(ctx, conn, cfg.amqpPrefix(), tr, 1); err != nil {
			return nil, err
		}
		logf("transport ceiling: two hops")
		if c.TwoHop, err = measureCeiling(ctx, conn, cfg.amqpPrefix(), tr, 2); err != nil {
			return nil, err
		}
		logf("ceiling: %.0f msg/s one hop, %.0f two hops", c.SingleHop, c.TwoHop)
		rep.Ceiling = c
	}

	signer, err := ssetoken.NewSigner([]byte(sseSecret))
	if err != nil {
		return nil, err
	}
	env := environment{cfg: cfg, dbURL: dbURL, bins: bins, svc: svc, nicks: nicks}
	// Leave nothing behind but the database (for a look at what was loaded): the last phase's
	// streams hold millions of entries at 100k users.
	defer env.cleanUp(rdb)
	best := 0.0
	for i, w := range cfg.Workers {
		ph := phase{name: fmt.Sprintf("p%d-w%d", i+1, w), workers: w, rate: cfg.Rate}
		res, err := env.run(ctx, ph, ts, snap, matcher, conn, rdb, signer, logf)
		if err != nil {
			return rep, err
		}
		rep.PayloadBytes = res.payloadBytes
		best = max(best, res.MsgPerSec)
		rep.add(res.PhaseResult)
	}
	if cfg.LatencyFraction > 0 && best > 0 {
		w := slices.Max(cfg.Workers)
		ph := phase{name: fmt.Sprintf("latency-w%d", w), workers: w, rate: best * cfg.LatencyFraction, messages: cfg.LatencyMessages}
		res, err := env.run(ctx, ph, ts, snap, matcher, conn, rdb, signer, logf)
		if err != nil {
			return rep, err
		}
		rep.add(res.PhaseResult)
	}
	return rep, nil
}

func (r *Report) add(p PhaseResult) {
	if r.Ceiling != nil && r.Ceiling.SingleHop > 0 && p.Rate == 0 {
		p.CeilingRatio = p.MsgPerSec / r.Ceiling.SingleHop
	}
	r.Phases = append(r.Phases, p)
}

// storedPreferences loads the preferences as a worker does and compiles them.
func storedPreferences(ctx context.Context, dbURL string) (*prefs.Snapshot, *rules.Matcher, error) {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	snap, err := pgstore.New(pool).Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	m, err := rules.Compile(&snap.Rules)
	if err != nil {
		return nil, nil, fmt.Errorf("compile: %w", err)
	}
	return snap, m, nil
}

// machine describes this machine for the report.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s", model, runtime.NumCPU(), runtime.Version())
}

// environment starts and stops the processes of phases.
type environment struct {
	cfg   Config
	dbURL string
	bins  map[string]string
	// svc and nicks are a fault run's services and IRC receivers' nicks.
	svc   *faultServices
	nicks []string
}

type phase struct {
	name     string
	workers  int
	rate     float64
	messages int // 0: Config.Messages
}

type phaseRun struct {
	PhaseResult
	payloadBytes int
}

func (e *environment) topology() rabbit.Topology {
	t := rabbit.DefaultTopology().Prefixed(e.cfg.amqpPrefix())
	t.BusExchange = e.cfg.amqpPrefix() + "bus"
	if !e.cfg.Archive {
		t.ArchiveQueue = ""
	}
	return e.withRetries(t)
}

// withRetries adds the backend's retry queues of a fault run to t.
func (e *environment) withRetries(t rabbit.Topology) rabbit.Topology {
	if e.svc == nil {
		return t
	}
	return t.WithRetryDelays("email", e.emailRetries()).WithRetryDelays("irc", e.ircRetries())
}

func (e *environment) emailRetries() []time.Duration {
	if len(e.cfg.EmailRetryDelays) > 0 {
		return e.cfg.EmailRetryDelays
	}
	return backend.DefaultEmailRetryDelays()
}

func (e *environment) ircRetries() []time.Duration {
	if len(e.cfg.IRCRetryDelays) > 0 {
		return e.cfg.IRCRetryDelays
	}
	return backend.DefaultIRCRetryDelays()
}

// reset deletes the run's queues and exchanges (with what they hold) and Redis keys.
func (e *environment) reset(ctx context.Context, rdb *redis.Client) error {
	full := e.withRetries(rabbit.DefaultTopology().Prefixed(e.cfg.amqpPrefix())) // with the archive queue, to delete it too
	full.BusExchange = e.topology().BusExchange
	if err := resetBroker(ctx, e.cfg.AMQPURL, full); err != nil {
		return err
	}
	return resetRedis(ctx, rdb, e.cfg.redisPrefix())
}

// cleanUp resets at the end of a run.
func (e *environment) cleanUp(rdb *redis.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := e.reset(ctx, rdb); err != nil && e.cfg.Progress != nil {
		fmt.Fprintln(e.cfg.Progress, "clean up:", err)
	}
}

// run runs one phase.
func (e *environment) run(ctx context.Context, ph phase, ts []template, snap *prefs.Snapshot, m *rules.Matcher,
	conn *rabbit.Conn, rdb *redis.Client, signer *ssetoken.Signer, logf func(string, ...any)) (*phaseRun, error) {
	topo := e.topology()
	if err := e.reset(ctx, rdb); err != nil {
		return nil, err
	}
	tr, err := makeTraffic(ts, cmp.Or(ph.messages, e.cfg.Messages), ph.name, snap, m, time.Now())
	if err != nil {
		return nil, err
	}
	logf("%s: %d messages, %d notifications expected, %d workers, rate %s", ph.name, len(tr.msgs), tr.expected, ph.workers, rateText(ph.rate))
	if e.svc != nil {
		logf("%s: and %d emails, %d IRC lines to %d nicks", ph.name, len(tr.mail), tr.ircLines, len(e.nicks))
	}

	procs, backendAddr, err := e.start(ctx, ph.workers)
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	if err != nil {
		return nil, err
	}
	byName := func(prefix string) []*proc {
		var out []*proc
		for _, p := range procs {
			if strings.HasPrefix(p.name, prefix) {
				out = append(out, p)
			}
		}
		return out
	}
	backend := byName("backend")[0]

	clk := newClock(tr)
	chaos := e.cfg.Chaos > 0 && ph.rate == 0
	faulty := e.svc != nil
	sample := sampleUsers(tr, e.cfg.SSEClients)
	if chaos || faulty {
		sample = nil
	}
	var receivers *ircReceivers
	if faulty {
		if receivers, err = openIRC(ctx, e.svc.ircAddr, e.nicks); err != nil {
			return nil, err
		}
		defer receivers.close()
		if err := waitFor(ctx, time.Minute, func() (bool, error) { return receivers.registered() == len(e.nicks), nil }); err != nil {
			return nil, fmt.Errorf("%s: irc receivers: %w", ph.name, err)
		}
	}
	clients := openStreams(ctx, backendAddr, signer, sample, clk)
	if err := waitFor(ctx, time.Minute, func() (bool, error) {
		fams, err := backend.metrics(ctx)
		return err == nil && int(sum(fams, "fmn_sse_connections", nil)) >= len(sample), nil
	}); err != nil {
		clients.close()
		return nil, fmt.Errorf("%s: sse streams: %w", ph.name, err)
	}

	cpu0, err := cpuNow(procs)
	if err != nil {
		clients.close()
		return nil, err
	}
	queues := []string{topo.BusQueue, topo.WorkQueue, topo.DeliverQueues["sse"]}
	if topo.ArchiveQueue != "" {
		queues = append(queues, topo.ArchiveQueue)
	}
	bl := sampleBacklog(ctx, conn, queues, 100*time.Millisecond)

	pub := conn.NewPublisher()
	defer pub.Close()
	start := time.Now()
	pubErr := make(chan error, 1)
	go func() { pubErr <- publish(ctx, pub, topo.BusExchange, tr, ph.rate, clk) }()
	var profiles sync.WaitGroup
	if e.cfg.ProfileDir != "" && ph.rate == 0 {
		for _, p := range procs {
			profiles.Go(func() {
				path := filepath.Join(e.cfg.ProfileDir, ph.name+"-"+p.name+".pprof")
				if err := p.profile(ctx, path, max(e.cfg.ProfileSeconds, 1)); err != nil {
					logf("profile of %s: %v", p.name, err)
				}
			})
		}
	}
	defer profiles.Wait()

	workers := byName("worker")
	timeout := e.cfg.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	var res phaseRun
	res.Name, res.Workers, res.Rate, res.Messages, res.Expected, res.payloadBytes = ph.name, ph.workers, ph.rate, len(tr.msgs), tr.expected, tr.payloadBytes
	store := sse.NewStore(rdb, sse.StoreConfig{Prefix: e.cfg.redisPrefix()})
	var delivered float64
	drained := func() (bool, error) {
		fams, err := backend.metrics(ctx)
		if err != nil {
			return false, nil
		}
		delivered = sum(fams, "fmn_backend_deliveries_total", map[string]string{"channel": "sse", "outcome": "sent"}) +
			sum(fams, "fmn_backend_deliveries_total", map[string]string{"channel": "sse", "outcome": "deduped"})
		if int(delivered) < tr.expected {
			return false, nil
		}
		var matched float64
		for _, w := range workers {
			wf, err := w.metrics(ctx)
			if err != nil {
				return false, nil
			}
			matched += sum(wf, "fmn_worker_messages_total", nil)
		}
		return int(matched) >= len(tr.msgs), nil
	}
	stopChaos := func() error { return nil }
	users := usersOf(snap)
	var expected map[string]int
	var counts sinkCounter
	var mail *mailbox
	if faulty {
		// Inject the faults while the pipeline works, then wait for every sink to hold what the
		// filters call for (counted there: the processes' counters restart with them).
		mail = newMailbox(e.svc.mailAPI)
		expected = map[string]int{"sse": tr.expected, "email": len(tr.mail), "irc": tr.ircLines}
		counts = func(ctx context.Context, only ...string) map[string]int {
			out := map[string]int{}
			want := func(sink string) bool { return len(only) == 0 || slices.Contains(only, sink) }
			if want("irc") {
				out["irc"] = receivers.count()
			}
			if want("sse") {
				if n, err := store.Count(ctx, users); err == nil {
					out["sse"] = int(n)
				}
			}
			if want("email") {
				if n, err := mail.count(ctx); err == nil {
					out["email"] = n
				}
			}
			return out
		}
		done := make(chan []FaultResult, 1)
		go func() { done <- e.injectFaults(ctx, procs, counts, expected, start, logf) }()
		finished := false
		drained = func() (bool, error) {
			if !finished {
				select {
				case res.Faults = <-done:
					finished = true
				default:
					return false, nil
				}
			}
			got := counts(ctx)
			delivered = float64(got["sse"])
			for k, n := range expected {
				if got[k] < n {
					return false, nil
				}
			}
			return true, nil
		}
		stopChaos = func() error {
			if !finished {
				res.Faults = <-done
			}
			for _, f := range res.Faults {
				if f.Error != "" {
					res.Errors = append(res.Errors, fmt.Sprintf("fault %s: %s", f.Kind, f.Error))
				}
			}
			return nil
		}
	} else if chaos {
		// Kill until the streams hold every notification (counted there: the processes'
		// counters start again at every restart); the check below runs once the queues are
		// empty, so duplicates from redeliveries after the last kill are counted too.
		stopChaos = e.chaos(ctx, procs, &res.PhaseResult, logf)
		drained = func() (bool, error) {
			n, err := store.Count(ctx, users)
			delivered = float64(n)
			return err == nil && n >= int64(tr.expected), nil
		}
	}
	drainErr := waitFor(ctx, timeout, drained)
	end := time.Now()
	if err := stopChaos(); err != nil {
		return nil, err
	}
	if err := <-pubErr; err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	if drainErr != nil {
		res.Errors = append(res.Errors, fmt.Sprintf("not drained: %d of %d notifications after %s", int(delivered), tr.expected, timeout))
	}
	cpu1, err := cpuNow(procs)
	if err != nil {
		return nil, err
	}
	res.CPUSeconds = map[string]float64{}
	for k, v := range cpu1 {
		res.CPUSeconds[k] = round(v-cpu0[k], 2)
	}
	res.MaxBacklog = bl.result()
	for q, n := range res.MaxBacklog { // shorter names: the queue without the run's prefix
		delete(res.MaxBacklog, q)
		res.MaxBacklog[strings.TrimPrefix(q, e.cfg.amqpPrefix())] = n
	}
	res.DrainSeconds = round(end.Sub(start).Seconds(), 3)
	res.MsgPerSec = round(float64(len(tr.msgs))/end.Sub(start).Seconds(), 0)
	res.NotifPerSec = round(float64(tr.expected)/end.Sub(start).Seconds(), 0)
	res.MatchMicros = matchMicros(ctx, workers)

	// Late duplicates would arrive after the count was reached: wait for the queues to empty.
	drain := []string{topo.BusQueue, topo.WorkQueue, topo.DeliverQueues["sse"]}
	if faulty { // and every delivery and retry queue
		drain = slices.DeleteFunc(topo.Queues(), func(q string) bool { return q == topo.DeadLetterQueue || q == topo.ArchiveQueue })
	}
	_ = waitFor(ctx, time.Minute, func() (bool, error) {
		for _, q := range drain {
			if n, err := conn.QueueDepth(ctx, q); err != nil || n > 0 {
				return false, nil
			}
		}
		return true, nil
	})
	lat, seen, errs := clients.close()
	res.Latency = summarise(lat)
	for _, err := range errs {
		res.Errors = append(res.Errors, err.Error())
	}
	stored, err := streamed(ctx, store, users)
	if err != nil {
		return nil, err
	}
	streams := res.check(tr, stored, seen)
	if faulty {
		if err := e.checkSinks(ctx, &res.PhaseResult, tr, streams, mail, receivers); err != nil {
			return nil, err
		}
	}
	logf("%s: %.1f s, %.0f msg/s, %.0f notifications/s, lost %d, duplicated %d, p99 %.1f ms", ph.name,
		res.DrainSeconds, res.MsgPerSec, res.NotifPerSec, res.Lost, res.Duplicated, res.Latency.P99)
	return &res, nil
}

// checkSinks compares what mailpit, the IRC receivers and the delivery ledger hold with what the
// filters call for, beside the SSE streams that check compared (streams), and adds every sink's
// losses, duplicates and surprises to r's.
func (e *environment) checkSinks(ctx context.Context, r *PhaseResult, tr *traffic, streams SinkResult, mail *mailbox, receivers *ircReceivers) error {
	r.Sinks = []SinkResult{streams}
	mails, err := mail.received(ctx)
	if err != nil {
		return err
	}
	r.Sinks = append(r.Sinks, compareArrivals("email", once(tr.mail), mails))
	r.Sinks = append(r.Sinks, compareArrivals("irc", tr.irc, receivers.close()))

	rows, err := ledgerRows(ctx, e.dbURL)
	if err != nil {
		return err
	}
	sent := map[string]int{}
	failed := map[string]int{}
	for id, status := range rows {
		if status == "sent" {
			sent[id] = 1
		} else {
			failed[status]++
		}
	}
	r.Sinks = append(r.Sinks, compareSink("ledger", once(tr.ledger), sent, nil))
	if len(failed) > 0 {
		r.Errors = append(r.Errors, "ledger rows not sent: "+kvText(failed))
	}
	for _, s := range r.Sinks[1:] {
		r.Lost += s.Lost
		r.Duplicated += s.Duplicated
		r.Unexpected += s.Unexpected
	}
	return nil
}

// compareArrivals is compareSink of what arrived when, by key; the differences say when.
func compareArrivals(name string, want map[string]int, arrivals map[string][]time.Time) SinkResult {
	got := make(map[string]int, len(arrivals))
	for k, ts := range arrivals {
		got[k] = len(ts)
	}
	return compareSink(name, want, got, func(k string) string {
		ts := arrivals[k]
		var at []string
		for i, t := range ts {
			if i == 3 && len(ts) > 6 { // the first three and the last three
				at = append(at, "…")
			}
			if i < 3 || i >= len(ts)-3 {
				at = append(at, t.Local().Format("15:04:05.000"))
			}
		}
		return " (at " + strings.Join(at, ", ") + ")"
	})
}

// kvText writes m as "k=v" pairs in key order.
func kvText(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// addSinkUsers picks the fault run's email and IRC users around the lower quartile of the users
// with notifications in a sample of the traffic, by their number (the traffic repeats the corpus,
// so its users get thousands), and gives them those destinations; it returns the IRC users' nicks.
func addSinkUsers(ctx context.Context, cfg Config, dbURL string, ts []template, snap *prefs.Snapshot, m *rules.Matcher) ([]string, error) {
	nMail, nIRC := cfg.MailUsers, cfg.IRCUsers
	if nMail <= 0 {
		nMail = defaultMailUsers
	}
	if nIRC <= 0 {
		nIRC = defaultIRCUsers
	}
	tr, err := makeTraffic(ts, min(cfg.Messages, 5000), "pick", snap, m, time.Now())
	if err != nil {
		return nil, err
	}
	users := slices.SortedFunc(maps.Keys(tr.perUser), func(a, b string) int {
		return cmp.Or(cmp.Compare(tr.perUser[a], tr.perUser[b]), cmp.Compare(a, b))
	})
	from := max(0, len(users)/4-(nMail+nIRC)/2) // the lower quartile: the mail server paces the run
	users = users[from:min(len(users), from+nMail+nIRC)]
	var mail, ircUsers, nicks []string
	for i, u := range users {
		if len(mail) < nMail && (i%2 == 0 || len(ircUsers) >= nIRC) {
			mail = append(mail, u)
			continue
		}
		nicks = append(nicks, nickOf(len(ircUsers)))
		ircUsers = append(ircUsers, u)
	}
	return nicks, addChannels(ctx, dbURL, mail, ircUsers)
}

// The fault run's email and IRC users, by default.
const (
	defaultMailUsers = 40
	defaultIRCUsers  = 20
)

// chaos kills a random one of procs (the consumer, a worker or the backend) every Config.Chaos and
// restarts it, counting the kills in res, until the returned func is called; that func waits for
// the last restart and reports a process that did not come back.
func (e *environment) chaos(ctx context.Context, procs []*proc, res *PhaseResult, logf func(string, ...any)) func() error {
	ctx, cancel := context.WithCancel(ctx)
	res.Kills = map[string]int{}
	done := make(chan error, 1)
	go func() {
		rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
		t := time.NewTicker(e.cfg.Chaos)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				done <- nil
				return
			case <-t.C:
			}
			p := procs[rnd.IntN(len(procs))]
			kind, _, _ := strings.Cut(p.name, "-")
			// Not ctx: a restart, once begun, must finish, or the phase would end one process short.
			if err := p.killAndRestart(context.WithoutCancel(ctx)); err != nil {
				done <- fmt.Errorf("chaos: %s did not come back: %w", p.name, err)
				return
			}
			res.Kills[kind]++
			logf("chaos: killed and restarted %s", p.name)
		}
	}()
	return func() error {
		cancel()
		return <-done
	}
}

// check compares what the streams hold with what was expected and returns the comparison, with
// its first differences.
func (r *PhaseResult) check(tr *traffic, stored, seen map[string]int) SinkResult {
	s := compareSink("sse", once(tr.ids), stored, nil)
	r.Delivered, r.Lost, r.Duplicated, r.Unexpected = s.Delivered, s.Lost, s.Duplicated, s.Unexpected
	// What the open streams received counts too: an event sent twice to a client is a duplicate
	// even if the stream holds it once.
	for _, n := range seen {
		if n > 1 {
			r.Duplicated += n - 1
		}
	}
	return s
}

// once expects every key of m once.
func once[V any](m map[string]V) map[string]int {
	out := make(map[string]int, len(m))
	for k := range m {
		out[k] = 1
	}
	return out
}

// start starts the consumer, the workers and the backend, and waits until they are ready.
func (e *environment) start(ctx context.Context, workers int) ([]*proc, string, error) {
	port := func() string {
		p, err := testproc.FreePort()
		if err != nil {
			return "127.0.0.1:0"
		}
		return fmt.Sprintf("127.0.0.1:%d", p)
	}
	common := []string{
		"FMN_AMQP_URL=" + e.cfg.AMQPURL, "FMN_AMQP_PREFIX=" + e.cfg.amqpPrefix(), "FMN_BUS_EXCHANGE=" + e.cfg.amqpPrefix() + "bus",
		"FMN_DATABASE_URL=" + e.dbURL, "FMN_REDIS_URL=" + e.cfg.RedisURL, "FMN_REDIS_PREFIX=" + e.cfg.redisPrefix(),
		fmt.Sprintf("FMN_ARCHIVE=%t", e.cfg.Archive), "FMN_LOG_LEVEL=warn", "FMN_SSE_SECRET=" + sseSecret,
		// Every notification of the run stays in its stream, so that the check sees all of them.
		"FMN_SSE_STREAM_MAX_LEN=1000000", "FMN_SSE_MAX_CONNS_PER_USER=10",
	}
	var backendEnv []string
	if e.svc != nil {
		backendEnv = []string{
			"FMN_SMTP_ADDR=" + e.svc.gate.addr(), "FMN_SMTP_TLS=none", "FMN_MAIL_FROM=fmn@" + mailDomain,
			"FMN_PUBLIC_URL=http://fmn." + mailDomain, "FMN_MUTE_SECRET=" + muteSecret,
			// Every notification is an email of its own: the flood guard would fold them into
			// digests, which the check does not expect.
			"FMN_EMAIL_FLOOD_LIMIT=0", "FMN_EMAIL_RETRY_DELAYS=" + durations(e.emailRetries()),
			"FMN_IRC_SERVER=" + e.svc.ircAddr, "FMN_IRC_TLS=false", "FMN_IRC_NICK=" + botNick,
			"FMN_IRC_LINE_INTERVAL=0", "FMN_IRC_LATE_AFTER=" + ircLateAfter.String(),
			"FMN_IRC_RETRY_DELAYS=" + durations(e.ircRetries()),
		}
	}
	var procs []*proc
	add := func(name, bin, addr string, env ...string) error {
		var pprofAddr string
		if e.cfg.ProfileDir != "" {
			pprofAddr = port()
			env = append(env, cli.EnvPprofAddr+"="+pprofAddr)
		}
		p, err := startProc(name, bin, addr, append(slices.Clone(common), env...), e.cfg.Logs)
		if err != nil {
			return err
		}
		p.pprofAddr = pprofAddr
		procs = append(procs, p)
		return nil
	}
	addr := port()
	if err := add("consumer", e.bins["consumer"], addr, "FMN_CONSUMER_METRICS_ADDR="+addr); err != nil {
		return procs, "", err
	}
	// The consumer declares the topology; the others declare it too, but start after it so
	// that the bus queue exists before the first publish.
	if err := procs[0].waitReady(ctx, time.Minute); err != nil {
		return procs, "", err
	}
	for i := range workers {
		addr := port()
		if err := add(fmt.Sprintf("worker-%d", i+1), e.bins["worker"], addr, "FMN_WORKER_METRICS_ADDR="+addr); err != nil {
			return procs, "", err
		}
	}
	backendAddr, backendMetricsAddr := port(), port()
	if err := add("backend", e.bins["backend"], backendAddr,
		append(backendEnv, "FMN_BACKEND_ADDR="+backendAddr, "FMN_BACKEND_METRICS_ADDR="+backendMetricsAddr)...); err != nil {
		return procs, "", err
	}
	procs[len(procs)-1].metricsAddr = backendMetricsAddr
	for _, p := range procs[1:] {
		if err := p.waitReady(ctx, 5*time.Minute); err != nil {
			return procs, "", err
		}
	}
	return procs, backendAddr, nil
}

// cpuNow reads the CPU seconds of the processes, the shared services and this tool.
func cpuNow(procs []*proc) (map[string]float64, error) {
	out, err := serviceCPU()
	if err != nil {
		return nil, err
	}
	for _, p := range procs {
		s, err := p.cpuSeconds()
		if err != nil {
			return nil, err
		}
		name := p.name
		if strings.HasPrefix(name, "worker-") {
			name = "workers"
		}
		out[name] += s
	}
	if s, err := selfCPU(); err == nil {
		out["fmnbench"] = s
	}
	return out, nil
}

// sampleUsers returns up to n of the users with notifications in tr, spread evenly over them
// (in name order), so that the clients see typical users rather than the busiest.
func sampleUsers(tr *traffic, n int) []string {
	users := slices.Sorted(maps.Keys(tr.perUser))
	if n >= len(users) {
		return users
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, users[i*len(users)/n])
	}
	return out
}

// usersOf lists the users who have filters: any of their streams may have received something.
func usersOf(snap *prefs.Snapshot) []string {
	seen := map[string]bool{}
	for _, f := range snap.Rules.Filters {
		seen[f.User] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// pollInterval paces waitFor: every poll scrapes processes' metrics, which costs them CPU.
const pollInterval = 50 * time.Millisecond

// waitFor polls cond until it holds, fails, or timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(pollInterval)
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

// matchMicros is the workers' mean matching time per message, in µs.
func matchMicros(ctx context.Context, workers []*proc) float64 {
	var total, n float64
	for _, w := range workers {
		fams, err := w.metrics(ctx)
		if err != nil {
			continue
		}
		if f := fams["fmn_worker_match_seconds"]; f != nil {
			for _, m := range f.GetMetric() {
				total += m.GetHistogram().GetSampleSum()
				n += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	if n == 0 {
		return 0
	}
	return round(total/n*1e6, 1)
}

func rateText(r float64) string {
	if r <= 0 {
		return "max"
	}
	return fmt.Sprintf("%.0f msg/s", r)
}

func round(v float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

// durations writes ds as a setting: comma-separated.
func durations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}
