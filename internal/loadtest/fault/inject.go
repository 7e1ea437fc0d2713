package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/loadtest/poll"
	"fmn/internal/loadtest/report"
)

// Timeouts of the faults: they bound waits on conditions, they are not expected durations.
const (
	// restartTimeout bounds the wait for a killed fmn process to be ready again.
	restartTimeout = 5 * time.Minute
	// recoveryTimeout bounds the wait for a channel to deliver again after a fault: past the
	// longest first retry delay of the defaults (IRC's minute).
	recoveryTimeout = 3 * time.Minute
	// brokerTimeout bounds the wait for RabbitMQ to take connections after its restart.
	brokerTimeout = 2 * time.Minute
)

// defaultGap is the mean pause before each fault when Injector.Gap is not set.
const defaultGap = 3 * time.Second

// Target is an fmn process that a kill fault or chaos kills with SIGKILL and restarts, waiting
// up to timeout until it is ready again (*childproc.Proc is one).
type Target interface {
	Name() string
	KillAndRestart(ctx context.Context, timeout time.Duration) error
}

// SinkCounter reads how many notifications each sink (sse, email, irc) holds, or only the sinks
// named (a sink that cannot be read is missing from the map).
type SinkCounter func(ctx context.Context, only ...string) map[string]int

// Injector injects a run's faults into each of its phases.
type Injector struct {
	// Faults are injected one after another, a random pause around Gap (default 3 s) before each.
	Faults []Fault
	Gap    time.Duration
	// Services are the run's own, which the service faults stop and start.
	Services *Services
	// RestartBroker restarts RabbitMQ for the rabbitmq fault; nil: rabbitmqctl stop_app and
	// start_app on this machine, then a wait until AMQPURL takes connections.
	RestartBroker func(context.Context) error
	AMQPURL       string
	// Logf gets one line per fault.
	Logf func(format string, args ...any)
}

// Phase is what one phase's faults act on and watch.
type Phase struct {
	// Targets are the phase's fmn processes.
	Targets []Target
	// Counts reads the sinks; Expected is what each must end with.
	Counts   SinkCounter
	Expected map[string]int
	// Start is the phase's first publish.
	Start time.Time
}

// Run injects the faults into ph and reports them once the last one has recovered.
func (in *Injector) Run(ctx context.Context, ph Phase) []report.FaultResult {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	gap := in.Gap
	if gap <= 0 {
		gap = defaultGap
	}
	var out []report.FaultResult
	for _, f := range in.Faults {
		wait := gap/2 + time.Duration(rnd.Int64N(int64(gap)))
		select {
		case <-ctx.Done():
			return out
		case <-time.After(wait): // the schedule's pacing: faults at random moments
		}
		out = append(out, in.one(ctx, f, ph, rnd))
	}
	return out
}

// one injects f, waits until the service is back and its channel delivers again, and reports it.
func (in *Injector) one(ctx context.Context, f Fault, ph Phase, rnd *rand.Rand) report.FaultResult {
	before := ph.Counts(ctx)
	t0 := time.Now()
	res := report.FaultResult{Kind: f.Kind, AtSeconds: report.Round(t0.Sub(ph.Start).Seconds(), 1), Channel: channelOf(f.Kind)}
	target, err := in.inject(ctx, f, ph.Targets, rnd)
	up := time.Now()
	res.Target, res.DownSeconds = target, report.Round(up.Sub(t0).Seconds(), 2)
	if err != nil {
		res.Error = err.Error()
		in.Logf("fault %s: %v", f.Kind, err)
		return res
	}
	after := ph.Counts(ctx)
	for k, n := range after {
		res.DeliveredDuring += n - before[k]
	}
	res.RecoverySeconds = recovery(ctx, ph.Counts, res.Channel, after[res.Channel], ph.Expected[res.Channel], up)
	if res.RecoverySeconds == -2 {
		res.Error = fmt.Sprintf("%s delivered nothing within %s of the service's return", res.Channel, recoveryTimeout)
		res.RecoverySeconds = 0
	}
	in.Logf("fault %s at %.1f s: down %.2f s, %s again after %.2f s", strings.TrimSpace(f.Kind+" "+target),
		res.AtSeconds, res.DownSeconds, res.Channel, res.RecoverySeconds)
	return res
}

// recovery waits until channel holds more than it did (n) when the service came back at up and
// returns the seconds that took; -1 if the channel had everything already, -2 on a time-out.
func recovery(ctx context.Context, counts SinkCounter, channel string, n, expected int, up time.Time) float64 {
	if n >= expected {
		return -1
	}
	err := poll.Until(ctx, recoveryTimeout, func() (bool, error) {
		got, ok := counts(ctx, channel)[channel]
		return ok && got > n, nil
	})
	if err != nil {
		return -2
	}
	return report.Round(time.Since(up).Seconds(), 2)
}

// inject performs one fault and returns once the service is back (the process it killed, if any).
func (in *Injector) inject(ctx context.Context, f Fault, targets []Target, rnd *rand.Rand) (string, error) {
	svc := in.Services
	switch f.Kind {
	case Worker, Backend, Consumer:
		return kill(ctx, f.Kind, targets, rnd)
	case RabbitMQ:
		restart := in.RestartBroker
		if restart == nil {
			restart = restartRabbitMQ(in.AMQPURL)
		}
		return "", restart(ctx)
	case Postgres:
		return "", outage(ctx, f.For, svc.pg.stop, svc.pg.start)
	case Redis:
		stop := func(context.Context) error { svc.redis.Stop(); return nil } // SIGTERM: Redis writes its append-only file and exits
		return "", outage(ctx, f.For, stop, func(ctx context.Context) error {
			if err := svc.redis.Start(); err != nil {
				return err
			}
			return svc.redis.WaitReady(ctx, serviceStartTimeout)
		})
	case SMTP:
		return "", outage(ctx, f.For,
			func(context.Context) error { svc.gate.refuse(true); return nil },
			func(context.Context) error { svc.gate.refuse(false); return nil })
	case IRC:
		return "", svc.ergo.Restart(context.WithoutCancel(ctx), serviceStartTimeout)
	}
	return "", fmt.Errorf("unknown fault %q", f.Kind)
}

// kill kills a random one of the targets whose name starts with kind and restarts it.
func kill(ctx context.Context, kind string, targets []Target, rnd *rand.Rand) (string, error) {
	var cands []Target
	for _, p := range targets {
		if strings.HasPrefix(p.Name(), kind) {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("no %s to kill", kind)
	}
	p := cands[rnd.IntN(len(cands))]
	return p.Name(), p.KillAndRestart(context.WithoutCancel(ctx), restartTimeout)
}

// outage stops a service, waits d (the outage itself), and starts it again, even when ctx ends
// meanwhile: a run never leaves a service down.
func outage(ctx context.Context, d time.Duration, stop, start func(context.Context) error) error {
	if err := stop(ctx); err != nil {
		return err
	}
	var perr error
	select {
	case <-ctx.Done():
		perr = ctx.Err()
	case <-time.After(d): // the outage itself
	}
	if err := start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	return perr
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
		return poll.Until(ctx, brokerTimeout, func() (bool, error) {
			c, err := amqp.Dial(url)
			if err != nil {
				return false, nil
			}
			_ = c.Close()
			return true, nil
		})
	}
}
