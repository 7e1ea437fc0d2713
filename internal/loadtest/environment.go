package loadtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/internal/childproc"
	"fmn/internal/cli"
	"fmn/internal/deliveryretry"
	"fmn/internal/loadtest/fault"
	"fmn/internal/loadtest/report"
	"fmn/internal/rabbit"
	"fmn/internal/ssetoken"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// environment is what every phase of a run shares: the run's configuration, binaries and
// services, the population as stored and the messages made for it, and the connections through
// which the tool publishes and reads. It starts and stops the processes of each phase.
type environment struct {
	cfg  Config
	bins map[string]string
	logf func(format string, args ...any)

	// dbURL is the run's database; snap and matcher its preferences, as the workers load them;
	// ts the corpus messages mapped onto the population.
	dbURL   string
	snap    *prefs.Snapshot
	matcher *rules.Matcher
	ts      []template

	conn   *rabbit.Conn
	rdb    *redis.Client
	signer *ssetoken.Signer

	// svc, faults and nicks are a fault run's services, its faults and its IRC receivers' nicks.
	svc    *fault.Services
	faults *fault.Injector
	nicks  []string
}

// phase is one phase to run.
type phase struct {
	name     string
	workers  int
	rate     float64
	messages int // 0: Config.Messages
}

// phaseResult is a phase's report, and the mean size of the messages it published.
type phaseResult struct {
	report.PhaseResult
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
	return deliveryretry.Email()
}

func (e *environment) ircRetries() []time.Duration {
	if len(e.cfg.IRCRetryDelays) > 0 {
		return e.cfg.IRCRetryDelays
	}
	return deliveryretry.IRC()
}

// reset deletes the run's queues and exchanges (with what they hold) and Redis keys.
func (e *environment) reset(ctx context.Context) error {
	full := e.withRetries(rabbit.DefaultTopology().Prefixed(e.cfg.amqpPrefix())) // with the archive queue, to delete it too
	full.BusExchange = e.topology().BusExchange
	if err := resetBroker(ctx, e.cfg.AMQPURL, full); err != nil {
		return err
	}
	return resetRedis(ctx, e.rdb, e.cfg.redisPrefix())
}

// cleanUp resets at the end of a run.
func (e *environment) cleanUp(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	if err := e.reset(ctx); err != nil && e.cfg.Progress != nil {
		fmt.Fprintln(e.cfg.Progress, "clean up:", err)
	}
}

// port is a free loopback host:port for a process to listen on.
func port() string {
	addr, err := childproc.FreeAddr()
	if err != nil {
		return "127.0.0.1:0"
	}
	return addr
}

// commonEnv is the environment of every fmn process of the run.
func (e *environment) commonEnv() []string {
	return []string{
		"FMN_AMQP_URL=" + e.cfg.AMQPURL, "FMN_AMQP_PREFIX=" + e.cfg.amqpPrefix(), "FMN_BUS_EXCHANGE=" + e.cfg.amqpPrefix() + "bus",
		"FMN_DATABASE_URL=" + e.dbURL, "FMN_REDIS_URL=" + e.cfg.RedisURL, "FMN_REDIS_PREFIX=" + e.cfg.redisPrefix(),
		fmt.Sprintf("FMN_ARCHIVE=%t", e.cfg.Archive), "FMN_LOG_LEVEL=warn", "FMN_SSE_SECRET=" + sseSecret,
		// Every notification of the run stays in its stream, so that the check sees all of them.
		"FMN_SSE_STREAM_MAX_LEN=1000000", "FMN_SSE_MAX_CONNS_PER_USER=10",
	}
}

// backendEnv is what the backend of a fault run adds: the email and IRC channels, to the run's
// own mailpit (through the gate) and ergo.
func (e *environment) backendEnv() []string {
	if e.svc == nil {
		return nil
	}
	return []string{
		"FMN_SMTP_ADDR=" + e.svc.SMTPAddr(), "FMN_SMTP_TLS=none", "FMN_MAIL_FROM=fmn@" + mailDomain,
		"FMN_PUBLIC_URL=http://fmn." + mailDomain, "FMN_MUTE_SECRET=" + muteSecret,
		// Every notification is an email of its own: the flood guard would fold them into
		// digests, which the check does not expect.
		"FMN_EMAIL_FLOOD_LIMIT=0", "FMN_EMAIL_RETRY_DELAYS=" + durations(e.emailRetries()),
		"FMN_IRC_SERVER=" + e.svc.IRCAddr(), "FMN_IRC_TLS=false", "FMN_IRC_NICK=" + botNick,
		"FMN_IRC_LINE_INTERVAL=0", "FMN_IRC_LATE_AFTER=" + ircLateAfter.String(),
		"FMN_IRC_RETRY_DELAYS=" + durations(e.ircRetries()),
	}
}

// startProc starts one fmn process serving /readyz (and /metrics) on addr, with env added to the
// common environment, and appends it to procs.
func (e *environment) startProc(procs *[]*proc, name, addr string, env ...string) error {
	var pprofAddr string
	if e.cfg.ProfileDir != "" {
		pprofAddr = port()
		env = append(env, cli.EnvPprofAddr+"="+pprofAddr)
	}
	kind, _, _ := strings.Cut(name, "-")
	p, err := startProc(name, e.bins[kind], addr, append(e.commonEnv(), env...), e.cfg.Logs)
	if err != nil {
		return err
	}
	p.pprofAddr = pprofAddr
	*procs = append(*procs, p)
	return nil
}

// start starts the consumer, the workers and the backend, and waits until they are ready. It
// returns the processes started even with an error, for the caller to stop.
func (e *environment) start(ctx context.Context, workers int) ([]*proc, string, error) {
	var procs []*proc
	addr := port()
	if err := e.startProc(&procs, "consumer", addr, "FMN_CONSUMER_METRICS_ADDR="+addr); err != nil {
		return procs, "", err
	}
	// The consumer declares the topology; the others declare it too, but start after it so
	// that the bus queue exists before the first publish.
	if err := procs[0].WaitReady(ctx, time.Minute); err != nil {
		return procs, "", err
	}
	for i := range workers {
		addr := port()
		if err := e.startProc(&procs, fmt.Sprintf("worker-%d", i+1), addr, "FMN_WORKER_METRICS_ADDR="+addr); err != nil {
			return procs, "", err
		}
	}
	backendAddr, backendMetricsAddr := port(), port()
	if err := e.startProc(&procs, "backend", backendAddr,
		append(e.backendEnv(), "FMN_BACKEND_ADDR="+backendAddr, "FMN_BACKEND_METRICS_ADDR="+backendMetricsAddr)...); err != nil {
		return procs, "", err
	}
	procs[len(procs)-1].metricsAddr = backendMetricsAddr
	for _, p := range procs[1:] {
		if err := p.WaitReady(ctx, 5*time.Minute); err != nil {
			return procs, "", err
		}
	}
	return procs, backendAddr, nil
}

// durations writes ds as a setting: comma-separated.
func durations(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// rateText shows a phase's target rate.
func rateText(r float64) string {
	if r <= 0 {
		return "max"
	}
	return fmt.Sprintf("%.0f msg/s", r)
}
