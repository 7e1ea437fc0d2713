package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// The kinds of fault a run can inject (Config.Faults).
const (
	// FaultWorker, FaultBackend and FaultConsumer kill that fmn process (a random worker) with
	// SIGKILL and restart it.
	FaultWorker   = "worker"
	FaultBackend  = "backend"
	FaultConsumer = "consumer"
	// FaultRabbitMQ restarts the broker (Config.RestartBroker).
	FaultRabbitMQ = "rabbitmq"
	// FaultPostgres and FaultRedis stop that server for the fault's duration, then start it.
	FaultPostgres = "postgres"
	FaultRedis    = "redis"
	// FaultSMTP makes the SMTP server refuse (421) for the fault's duration.
	FaultSMTP = "smtp"
	// FaultIRC restarts the IRC server.
	FaultIRC = "irc"
)

// Fault is one fault to inject.
type Fault struct {
	Kind string `json:"kind"`
	// For is how long the service stays down (postgres, redis, smtp).
	For time.Duration `json:"for,omitempty"`
}

// defaultFor is how long a timed fault lasts by default (issue #10's figures); timed reports
// whether the kind takes a duration at all.
func defaultFor(kind string) (d time.Duration, timed bool) {
	switch kind {
	case FaultPostgres, FaultRedis:
		return 10 * time.Second, true
	case FaultSMTP:
		return 30 * time.Second, true
	}
	return 0, false
}

// faultKinds lists the kinds in the order of the full suite. The SMTP refusal comes last: it is
// the longest, and the retries it causes wait longest.
func faultKinds() []string {
	return []string{FaultWorker, FaultBackend, FaultConsumer, FaultRabbitMQ, FaultPostgres, FaultRedis, FaultIRC, FaultSMTP}
}

// AllFaults is the full suite: every kind once, in order, with the default durations.
func AllFaults() []Fault {
	kinds := faultKinds()
	out := make([]Fault, 0, len(kinds))
	for _, k := range kinds {
		d, _ := defaultFor(k)
		out = append(out, Fault{Kind: k, For: d})
	}
	return out
}

// ParseFaults reads "all" or a comma-separated list of kinds, each timed one optionally with
// "=duration" (postgres=10s,smtp=30s,irc).
func ParseFaults(s string) ([]Fault, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if s == "all" {
		return AllFaults(), nil
	}
	var out []Fault
	for _, part := range strings.Split(s, ",") {
		kind, dur, given := strings.Cut(strings.TrimSpace(part), "=")
		if !slices.Contains(faultKinds(), kind) {
			return nil, fmt.Errorf("fault %q: not one of %s (or all)", kind, strings.Join(faultKinds(), ", "))
		}
		d, timed := defaultFor(kind)
		f := Fault{Kind: kind, For: d}
		if given {
			if !timed {
				return nil, fmt.Errorf("fault %q takes no duration", kind)
			}
			d, err := time.ParseDuration(dur)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("fault %s: %q is not a positive duration", kind, dur)
			}
			f.For = d
		}
		out = append(out, f)
	}
	return out, nil
}

// FaultResult is one injected fault.
type FaultResult struct {
	Kind string `json:"kind"`
	// Target is the process killed, for the kill faults.
	Target string `json:"target,omitempty"`
	// AtSeconds is when it began, from the phase's first publish.
	AtSeconds float64 `json:"at_s"`
	// DownSeconds runs from the injection until the service (or process) was back.
	DownSeconds float64 `json:"down_s"`
	// Channel is the sink whose progress shows the recovery: sse, email or irc.
	Channel string `json:"channel"`
	// RecoverySeconds runs from the service being back until Channel delivered again; -1 when
	// nothing was left to deliver on it.
	RecoverySeconds float64 `json:"recovery_s"`
	// DeliveredDuring counts what all sinks received from the injection until the service was back.
	DeliveredDuring int    `json:"delivered_during"`
	Error           string `json:"error,omitempty"`
}

// channelOf is the sink whose progress shows that the pipeline recovered from a fault: the
// channel the faulty part serves (PostgreSQL serves the delivery ledger of email and IRC).
func channelOf(kind string) string {
	switch kind {
	case FaultPostgres, FaultSMTP:
		return "email"
	case FaultIRC:
		return "irc"
	}
	return "sse"
}

// recoveryTimeout bounds the wait for a channel to deliver again after a fault: past the longest
// first retry delay of the defaults (IRC's minute).
const recoveryTimeout = 3 * time.Minute

// sinkCounter reads how many notifications each sink holds, or only the sinks named (a sink that
// cannot be read is missing from the map).
type sinkCounter func(ctx context.Context, only ...string) map[string]int

// injectFaults injects e.cfg.Faults one after another, a random gap around Config.FaultGap before
// each, and reports them once the last one has recovered. expected is what each sink must end
// with; start is the phase's first publish.
func (e *environment) injectFaults(ctx context.Context, procs []*proc, counts sinkCounter, expected map[string]int,
	start time.Time, logf func(string, ...any)) []FaultResult {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	gap := e.cfg.FaultGap
	if gap <= 0 {
		gap = 3 * time.Second
	}
	var out []FaultResult
	for _, f := range e.cfg.Faults {
		wait := gap/2 + time.Duration(rnd.Int64N(int64(gap)))
		select {
		case <-ctx.Done():
			return out
		case <-time.After(wait): // the schedule's pacing: faults at random moments
		}
		before := counts(ctx)
		t0 := time.Now()
		res := FaultResult{Kind: f.Kind, AtSeconds: round(t0.Sub(start).Seconds(), 1), Channel: channelOf(f.Kind)}
		target, err := e.inject(ctx, f, procs, rnd)
		up := time.Now()
		res.Target, res.DownSeconds = target, round(up.Sub(t0).Seconds(), 2)
		if err != nil {
			res.Error = err.Error()
			out = append(out, res)
			logf("fault %s: %v", f.Kind, err)
			continue
		}
		after := counts(ctx)
		for k, n := range after {
			res.DeliveredDuring += n - before[k]
		}
		res.RecoverySeconds = recovery(ctx, counts, res.Channel, after[res.Channel], expected[res.Channel], up)
		if res.RecoverySeconds == -2 {
			res.Error = fmt.Sprintf("%s delivered nothing within %s of the service's return", res.Channel, recoveryTimeout)
			res.RecoverySeconds = 0
		}
		logf("fault %s at %.1f s: down %.2f s, %s again after %.2f s", strings.TrimSpace(f.Kind+" "+target),
			res.AtSeconds, res.DownSeconds, res.Channel, res.RecoverySeconds)
		out = append(out, res)
	}
	return out
}

// recovery waits until channel holds more than it did (n) when the service came back at up and
// returns the seconds that took; -1 if the channel had everything already, -2 on a time-out.
func recovery(ctx context.Context, counts sinkCounter, channel string, n, expected int, up time.Time) float64 {
	if n >= expected {
		return -1
	}
	err := waitFor(ctx, recoveryTimeout, func() (bool, error) {
		got, ok := counts(ctx, channel)[channel]
		return ok && got > n, nil
	})
	if err != nil {
		return -2
	}
	return round(time.Since(up).Seconds(), 2)
}

// inject performs one fault and returns once the service is back (the process it killed, if any).
func (e *environment) inject(ctx context.Context, f Fault, procs []*proc, rnd *rand.Rand) (string, error) {
	pause := func() error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.For): // the outage itself
			return nil
		}
	}
	svc := e.svc
	switch f.Kind {
	case FaultWorker, FaultBackend, FaultConsumer:
		var cands []*proc
		for _, p := range procs {
			if strings.HasPrefix(p.name, f.Kind) {
				cands = append(cands, p)
			}
		}
		if len(cands) == 0 {
			return "", fmt.Errorf("no %s to kill", f.Kind)
		}
		p := cands[rnd.IntN(len(cands))]
		return p.name, p.killAndRestart(context.WithoutCancel(ctx))
	case FaultRabbitMQ:
		restart := e.cfg.RestartBroker
		if restart == nil {
			restart = restartRabbitMQ(e.cfg.AMQPURL)
		}
		return "", restart(ctx)
	case FaultPostgres:
		if err := svc.pg.stop(ctx); err != nil {
			return "", err
		}
		perr := pause()
		if err := svc.pg.start(context.WithoutCancel(ctx)); err != nil {
			return "", err
		}
		return "", perr
	case FaultRedis:
		svc.redis.stop() // SIGTERM: Redis writes its append-only file and exits
		perr := pause()
		if err := svc.redis.start(context.WithoutCancel(ctx)); err != nil {
			return "", err
		}
		return "", perr
	case FaultSMTP:
		svc.gate.refuse(true)
		perr := pause()
		svc.gate.refuse(false)
		return "", perr
	case FaultIRC:
		return "", svc.ergo.restart(context.WithoutCancel(ctx))
	}
	return "", fmt.Errorf("unknown fault %q", f.Kind)
}

// restartRabbitMQ restarts the machine's broker application (rabbitmqctl stop_app, start_app)
// and waits until it takes connections at url again.
func restartRabbitMQ(url string) func(context.Context) error {
	return func(ctx context.Context) error {
		if _, err := exec.LookPath("rabbitmqctl"); err != nil {
			return fmt.Errorf("restart rabbitmq: %w", err)
		}
		for _, step := range []string{"stop_app", "start_app"} {
			if err := command(ctx, "rabbitmqctl", "-q", step); err != nil {
				return fmt.Errorf("restart rabbitmq: %w", err)
			}
		}
		return waitFor(ctx, 2*time.Minute, func() (bool, error) {
			c, err := amqp.Dial(url)
			if err != nil {
				return false, nil
			}
			_ = c.Close()
			return true, nil
		})
	}
}
