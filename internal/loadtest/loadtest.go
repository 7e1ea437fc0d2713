// Package loadtest measures the whole fmn pipeline (issue #9): it creates a synthetic population
// in a database of its own, starts the consumer, W workers and a backend as real processes on the
// machine's PostgreSQL, RabbitMQ and Redis, publishes real-shaped bus messages as fast as the
// broker takes them or at a fixed rate, holds SSE streams open for a sample of users, and reports
// (internal/loadtest/report) drain time, messages/s, notifications/s, each queue's largest
// backlog, bus-to-SSE latency and CPU seconds per process. It checks that every notification the
// filters call for was delivered exactly once. Beside it, in the same run, it measures the
// broker's transport ceiling. With faults (internal/loadtest/fault) or chaos kills, it checks the
// same while processes and services fail.
//
// A run goes: the population into a fresh database (seed), the transport ceiling, then one phase
// per worker count and a paced latency phase, each with fresh queues, keys and processes (run).
package loadtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"fmn/internal/corpus"
	"fmn/internal/loadtest/fault"
	"fmn/internal/loadtest/report"
	"fmn/internal/population"
	"fmn/internal/population/popdb"
	"fmn/internal/rabbit"
	"fmn/internal/ssetoken"
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
	// Faults, when set, are injected one after another during every phase (see fault.Fault): the run
	// then brings its own PostgreSQL cluster, Redis, mailpit (behind a gate that can refuse SMTP)
	// and ergo, gives MailUsers users an email address and IRCUsers users an IRC nick besides their
	// stream, and checks every sink once the faults are over and the queues empty: the users' SSE
	// streams, mailpit, the IRC receivers and the delivery ledger. FaultGap is the mean pause
	// before each fault (default 3 s). Like Chaos, it holds no SSE clients.
	Faults              []fault.Fault
	FaultGap            time.Duration
	MailUsers, IRCUsers int
	// EmailRetryDelays and IRCRetryDelays, when set, replace the backend's retry delays.
	EmailRetryDelays, IRCRetryDelays []time.Duration
	// RestartBroker restarts RabbitMQ for the rabbitmq fault (default: rabbitmqctl stop_app and
	// start_app on this machine).
	RestartBroker func(context.Context) error
	// Timeout bounds each phase's drain.
	Timeout time.Duration
	// Logs receives the processes' output; Progress one line per step.
	Logs, Progress io.Writer
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

// Run performs the run. It returns the report of the phases run so far with a phase's error.
func Run(ctx context.Context, cfg Config) (*report.Report, error) {
	logf := progress(cfg.Progress)
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
	e := &environment{cfg: cfg, bins: bins, logf: logf}
	if len(cfg.Faults) > 0 {
		logf("fault services: a PostgreSQL cluster, Redis, mailpit and ergo of the run's own")
		if e.svc, err = fault.StartServices(ctx, cfg.Database, cfg.Logs); err != nil {
			return nil, err
		}
		defer e.svc.Close(ctx)
		e.cfg.PostgresURL, e.cfg.RedisURL = e.svc.PostgresURL(), e.svc.RedisURL()
		e.faults = &fault.Injector{Faults: cfg.Faults, Gap: cfg.FaultGap, Services: e.svc,
			RestartBroker: cfg.RestartBroker, AMQPURL: cfg.AMQPURL, Logf: logf}
	}
	st, err := e.seed(ctx, p, recs)
	if err != nil {
		return nil, err
	}
	rep := &report.Report{Machine: machine(), Users: st.Users, Filters: st.Filters, Heavy: cfg.Heavy, Messages: cfg.Messages, Archive: cfg.Archive}
	disconnect, err := e.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer disconnect()
	if cfg.Ceiling {
		if rep.Ceiling, err = e.ceiling(ctx); err != nil {
			return nil, err
		}
	}
	if e.signer, err = ssetoken.NewSigner([]byte(sseSecret)); err != nil {
		return nil, err
	}
	// Leave nothing behind but the database (for a look at what was loaded): the last phase's
	// streams hold millions of entries at 100k users.
	defer e.cleanUp(ctx)
	return rep, e.runPhases(ctx, rep)
}

// progress is the run's progress log: a line per step, with the time, to w (nil: none).
func progress(w io.Writer) func(format string, args ...any) {
	return func(format string, args ...any) {
		if w != nil {
			fmt.Fprintf(w, time.Now().Format("15:04:05 ")+format+"\n", args...)
		}
	}
}

// seed creates the run's database, loads population p into it, and reads the preferences back
// as a worker does; in a fault run, some users also get an email address and an IRC nick.
func (e *environment) seed(ctx context.Context, p *population.Population, recs []corpus.Record) (popdb.Stats, error) {
	dbURL, err := freshDatabase(ctx, e.cfg.PostgresURL, e.cfg.Database)
	if err != nil {
		return popdb.Stats{}, err
	}
	st, err := loadPopulation(ctx, dbURL, p)
	if err != nil {
		return popdb.Stats{}, err
	}
	e.logf("loaded %d users, %d destinations, %d filters, %d ownership rows", st.Users, st.Destinations, st.Filters, st.Ownership)
	snap, matcher, err := storedPreferences(ctx, dbURL)
	if err != nil {
		return popdb.Stats{}, err
	}
	e.dbURL, e.ts = dbURL, templates(recs, p)
	if e.svc != nil {
		if e.nicks, err = addSinkUsers(ctx, e.cfg, dbURL, e.ts, snap, matcher); err != nil {
			return popdb.Stats{}, err
		}
		if snap, matcher, err = storedPreferences(ctx, dbURL); err != nil {
			return popdb.Stats{}, err
		}
	}
	e.snap, e.matcher = snap, matcher
	return st, nil
}

// connect opens the run's broker connection and Redis client; the func returned closes them.
func (e *environment) connect(ctx context.Context) (func(), error) {
	conn, err := rabbit.Dial(rabbit.Config{URL: e.cfg.AMQPURL, ConnectionName: "fmnbench-load"}, rabbit.Deps{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	if err := conn.WaitReady(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	ropts, err := redis.ParseURL(e.cfg.RedisURL)
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("redis url: %w", err)
	}
	e.conn, e.rdb = conn, redis.NewClient(ropts)
	return func() {
		_ = e.rdb.Close()
		_ = e.conn.Close()
	}, nil
}

// runPhases runs a full-speed phase per worker count, then the latency phase at a fraction of the
// best rate measured, adding each to rep.
func (e *environment) runPhases(ctx context.Context, rep *report.Report) error {
	best := 0.0
	for i, w := range e.cfg.Workers {
		res, err := e.run(ctx, phase{name: fmt.Sprintf("p%d-w%d", i+1, w), workers: w, rate: e.cfg.Rate})
		if err != nil {
			return err
		}
		rep.PayloadBytes = res.payloadBytes
		best = max(best, res.MsgPerSec)
		rep.Add(res.PhaseResult)
	}
	if e.cfg.LatencyFraction > 0 && best > 0 {
		w := slices.Max(e.cfg.Workers)
		res, err := e.run(ctx, phase{name: fmt.Sprintf("latency-w%d", w), workers: w, rate: best * e.cfg.LatencyFraction, messages: e.cfg.LatencyMessages})
		if err != nil {
			return err
		}
		rep.Add(res.PhaseResult)
	}
	return nil
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
