package loadtest

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fmn/internal/loadtest/fault"
	"fmn/internal/loadtest/poll"
	"fmn/internal/loadtest/report"
	"fmn/internal/notify/sse"
	"fmn/internal/rabbit"
)

// Bounds of a phase's waits: they bound conditions, they are not expected durations.
const (
	// defaultTimeout bounds a phase's drain when Config.Timeout is not set.
	defaultTimeout = 15 * time.Minute
	// openTimeout bounds the wait for the IRC receivers and the SSE streams to be connected;
	// emptyTimeout the wait for the queues to empty after the drain.
	openTimeout  = time.Minute
	emptyTimeout = time.Minute
	// backlogEvery is how often the queues' backlogs are sampled.
	backlogEvery = 100 * time.Millisecond
)

// phaseRun is one phase under way: its traffic, the processes and clients it started, and what
// it has measured so far.
type phaseRun struct {
	e    *environment
	ph   phase
	topo rabbit.Topology
	tr   *traffic
	clk  *clock
	// chaos and faulty say how the phase is disturbed: chaos kills (full-speed phases of a chaos
	// run) or the faults of a fault run.
	chaos, faulty bool

	procs       []*proc
	backend     *proc
	workers     []*proc
	backendAddr string
	receivers   *ircReceivers // fault runs
	mail        *mailbox      // fault runs
	clients     *sseClients
	store       *sse.Store
	users       []string // every user with a filter: their streams are read at the end
	res         phaseResult
	closers     []func() // run by close, last first
}

// run runs one phase: fresh queues and keys, its traffic, its processes and clients, then it
// publishes, waits for the sinks, and checks that each notification arrived exactly once.
func (e *environment) run(ctx context.Context, ph phase) (*phaseResult, error) {
	r, err := e.newPhase(ctx, ph)
	if err != nil {
		return nil, err
	}
	defer r.close()
	if err := r.startProcesses(ctx); err != nil {
		return nil, err
	}
	if err := r.openClients(ctx); err != nil {
		return nil, err
	}
	if err := r.publishAndDrain(ctx); err != nil {
		return nil, err
	}
	r.waitQueuesEmpty(ctx)
	if err := r.checkExactlyOnce(ctx); err != nil {
		return nil, err
	}
	e.logf("%s: %.1f s, %.0f msg/s, %.0f notifications/s, lost %d, duplicated %d, p99 %.1f ms", ph.name,
		r.res.DrainSeconds, r.res.MsgPerSec, r.res.NotifPerSec, r.res.Lost, r.res.Duplicated, r.res.Latency.P99)
	return &r.res, nil
}

// newPhase resets the broker and Redis and makes the phase's traffic.
func (e *environment) newPhase(ctx context.Context, ph phase) (*phaseRun, error) {
	if err := e.reset(ctx); err != nil {
		return nil, err
	}
	tr, err := makeTraffic(e.ts, cmp.Or(ph.messages, e.cfg.Messages), ph.name, e.snap, e.matcher, time.Now())
	if err != nil {
		return nil, err
	}
	e.logf("%s: %d messages, %d notifications expected, %d workers, rate %s", ph.name, len(tr.msgs), tr.expected, ph.workers, rateText(ph.rate))
	if e.svc != nil {
		e.logf("%s: and %d emails, %d IRC lines to %d nicks", ph.name, len(tr.mail), tr.ircLines, len(e.nicks))
	}
	r := &phaseRun{e: e, ph: ph, topo: e.topology(), tr: tr, clk: newClock(tr),
		chaos: e.cfg.Chaos > 0 && ph.rate == 0, faulty: e.svc != nil,
		store: sse.NewStore(e.rdb, sse.StoreConfig{Prefix: e.cfg.redisPrefix()}), users: usersOf(e.snap)}
	r.res.Name, r.res.Workers, r.res.Rate, r.res.Messages, r.res.Expected, r.res.payloadBytes = ph.name, ph.workers, ph.rate, len(tr.msgs), tr.expected, tr.payloadBytes
	return r, nil
}

// onClose registers f to run when the phase closes.
func (r *phaseRun) onClose(f func()) { r.closers = append(r.closers, f) }

// close stops what the phase started, last first: profiles, the publisher, the clients and
// receivers, then the processes.
func (r *phaseRun) close() {
	for _, f := range slices.Backward(r.closers) {
		f()
	}
}

// startProcesses starts the consumer, the workers and the backend.
func (r *phaseRun) startProcesses(ctx context.Context) error {
	procs, backendAddr, err := r.e.start(ctx, r.ph.workers)
	r.procs, r.backendAddr = procs, backendAddr
	r.onClose(func() {
		for _, p := range procs {
			p.Stop()
		}
	})
	if err != nil {
		return err
	}
	r.backend = r.named("backend")[0]
	r.workers = r.named("worker")
	return nil
}

// named is the processes whose names start with prefix.
func (r *phaseRun) named(prefix string) []*proc {
	var out []*proc
	for _, p := range r.procs {
		if strings.HasPrefix(p.Name(), prefix) {
			out = append(out, p)
		}
	}
	return out
}

// openClients connects a fault run's IRC receivers and, unless the phase is disturbed (their
// streams would not survive the kills), the SSE clients of a sample of users, and waits until
// all are connected.
func (r *phaseRun) openClients(ctx context.Context) error {
	sample := sampleUsers(r.tr, r.e.cfg.SSEClients)
	if r.chaos || r.faulty {
		sample = nil
	}
	if r.faulty {
		receivers, err := openIRC(ctx, r.e.svc.IRCAddr(), r.e.nicks)
		if err != nil {
			return err
		}
		r.receivers = receivers
		r.onClose(func() { receivers.close() })
		if err := poll.Until(ctx, openTimeout, func() (bool, error) { return receivers.registered() == len(r.e.nicks), nil }); err != nil {
			return fmt.Errorf("%s: irc receivers: %w", r.ph.name, err)
		}
		r.mail = newMailbox(r.e.svc.MailAPI())
	}
	r.clients = openStreams(ctx, r.backendAddr, r.e.signer, sample, r.clk)
	r.onClose(func() { r.clients.close() })
	if err := poll.Until(ctx, openTimeout, func() (bool, error) {
		fams, err := r.backend.metrics(ctx)
		return err == nil && int(sum(fams, "fmn_sse_connections", nil)) >= len(sample), nil
	}); err != nil {
		return fmt.Errorf("%s: sse streams: %w", r.ph.name, err)
	}
	return nil
}

// publishAndDrain publishes the traffic, disturbing the pipeline if the phase does, waits until
// every notification arrived, and measures the drain.
func (r *phaseRun) publishAndDrain(ctx context.Context) error {
	cpu0, err := cpuNow(r.procs)
	if err != nil {
		return err
	}
	bl := sampleBacklog(ctx, r.e.conn, r.backlogQueues(), backlogEvery)
	pub := r.e.conn.NewPublisher()
	r.onClose(func() { pub.Close() })
	start := time.Now()
	pubErr := make(chan error, 1)
	go func() { pubErr <- publish(ctx, pub, r.topo.BusExchange, r.tr, r.ph.rate, r.clk) }()
	r.profile(ctx)
	w := r.watch(ctx, start)
	timeout := r.e.cfg.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	drainErr := poll.Until(ctx, timeout, w.drained)
	end := time.Now()
	if err := w.stop(); err != nil {
		return err
	}
	if err := <-pubErr; err != nil {
		r.res.Errors = append(r.res.Errors, err.Error())
	}
	if drainErr != nil {
		r.res.Errors = append(r.res.Errors, fmt.Sprintf("not drained: %d of %d notifications after %s", int(w.delivered), r.tr.expected, timeout))
	}
	return r.measure(ctx, cpu0, bl, end.Sub(start))
}

// backlogQueues are the queues whose backlog the report shows.
func (r *phaseRun) backlogQueues() []string {
	queues := []string{r.topo.BusQueue, r.topo.WorkQueue, r.topo.DeliverQueues["sse"]}
	if r.topo.ArchiveQueue != "" {
		queues = append(queues, r.topo.ArchiveQueue)
	}
	return queues
}

// profile takes a CPU profile of every process of a full-speed phase, when the run asks for them.
func (r *phaseRun) profile(ctx context.Context) {
	if r.e.cfg.ProfileDir == "" || r.ph.rate != 0 {
		return
	}
	var profiles sync.WaitGroup
	for _, p := range r.procs {
		profiles.Go(func() {
			path := filepath.Join(r.e.cfg.ProfileDir, r.ph.name+"-"+p.Name()+".pprof")
			if err := p.profile(ctx, path, max(r.e.cfg.ProfileSeconds, 1)); err != nil {
				r.e.logf("profile of %s: %v", p.Name(), err)
			}
		})
	}
	r.onClose(profiles.Wait)
}

// measure fills in the drain's figures: CPU seconds, backlogs, rates and matching time.
func (r *phaseRun) measure(ctx context.Context, cpu0 map[string]float64, bl *backlog, took time.Duration) error {
	cpu1, err := cpuNow(r.procs)
	if err != nil {
		return err
	}
	res := &r.res
	res.CPUSeconds = map[string]float64{}
	for k, v := range cpu1 {
		res.CPUSeconds[k] = report.Round(v-cpu0[k], 2)
	}
	res.MaxBacklog = map[string]int{}
	for q, n := range bl.result() { // shorter names: the queue without the run's prefix
		res.MaxBacklog[strings.TrimPrefix(q, r.e.cfg.amqpPrefix())] = n
	}
	res.DrainSeconds = report.Round(took.Seconds(), 3)
	res.MsgPerSec = report.Round(float64(len(r.tr.msgs))/took.Seconds(), 0)
	res.NotifPerSec = report.Round(float64(r.tr.expected)/took.Seconds(), 0)
	res.MatchMicros = matchMicros(ctx, r.workers)
	return nil
}

// waitQueuesEmpty waits (bounded) for the queues to empty: late duplicates would arrive after
// the count was reached. A fault run waits for every delivery and retry queue too.
func (r *phaseRun) waitQueuesEmpty(ctx context.Context) {
	drain := []string{r.topo.BusQueue, r.topo.WorkQueue, r.topo.DeliverQueues["sse"]}
	if r.faulty {
		drain = slices.DeleteFunc(r.topo.Queues(), func(q string) bool { return q == r.topo.DeadLetterQueue || q == r.topo.ArchiveQueue })
	}
	_ = poll.Until(ctx, emptyTimeout, func() (bool, error) {
		for _, q := range drain {
			if n, err := r.e.conn.QueueDepth(ctx, q); err != nil || n > 0 {
				return false, nil
			}
		}
		return true, nil
	})
}

// checkExactlyOnce closes the SSE clients and compares what every sink holds with what the
// filters call for.
func (r *phaseRun) checkExactlyOnce(ctx context.Context) error {
	lat, seen, errs := r.clients.close()
	r.res.Latency = report.Summarise(lat)
	for _, err := range errs {
		r.res.Errors = append(r.res.Errors, err.Error())
	}
	stored, err := streamed(ctx, r.store, r.users)
	if err != nil {
		return err
	}
	streams := check(&r.res.PhaseResult, r.tr, stored, seen)
	if r.faulty {
		return r.checkSinks(ctx, streams)
	}
	return nil
}

// watch is how a phase knows it has drained, and what it ends when it has.
type watch struct {
	drained func() (bool, error)
	// stop ends the chaos kills, or collects the faults' results.
	stop func() error
	// delivered is the last count of notifications delivered, for the message of a time-out.
	delivered float64
}

// watch starts the phase's disturbance, if any, and returns how to tell it has drained.
func (r *phaseRun) watch(ctx context.Context, start time.Time) *watch {
	switch {
	case r.faulty:
		return r.watchFaults(ctx, start)
	case r.chaos:
		return r.watchChaos(ctx)
	}
	return r.watchMetrics(ctx)
}

// watchMetrics reads the processes' counters: the backend has sent (or deduped) every SSE
// notification and the workers have matched every message.
func (r *phaseRun) watchMetrics(ctx context.Context) *watch {
	w := &watch{stop: func() error { return nil }}
	w.drained = func() (bool, error) {
		fams, err := r.backend.metrics(ctx)
		if err != nil {
			return false, nil
		}
		w.delivered = sum(fams, "fmn_backend_deliveries_total", map[string]string{"channel": "sse", "outcome": "sent"}) +
			sum(fams, "fmn_backend_deliveries_total", map[string]string{"channel": "sse", "outcome": "deduped"})
		if int(w.delivered) < r.tr.expected {
			return false, nil
		}
		var matched float64
		for _, wk := range r.workers {
			wf, err := wk.metrics(ctx)
			if err != nil {
				return false, nil
			}
			matched += sum(wf, "fmn_worker_messages_total", nil)
		}
		return int(matched) >= len(r.tr.msgs), nil
	}
	return w
}

// watchChaos kills until the streams hold every notification (counted there: the processes'
// counters start again at every restart); the check runs once the queues are empty, so
// duplicates from redeliveries after the last kill are counted too.
func (r *phaseRun) watchChaos(ctx context.Context) *watch {
	c := fault.StartChaos(ctx, r.e.cfg.Chaos, r.targets(), r.e.logf)
	w := &watch{}
	w.stop = func() error {
		kills, err := c.Stop()
		r.res.Kills = kills
		return err
	}
	w.drained = func() (bool, error) {
		n, err := r.store.Count(ctx, r.users)
		w.delivered = float64(n)
		return err == nil && n >= int64(r.tr.expected), nil
	}
	return w
}

// watchFaults injects the faults while the pipeline works, then waits for every sink to hold
// what the filters call for (counted there: the processes' counters restart with them).
func (r *phaseRun) watchFaults(ctx context.Context, start time.Time) *watch {
	expected := map[string]int{"sse": r.tr.expected, "email": len(r.tr.mail), "irc": r.tr.ircLines}
	done := make(chan []report.FaultResult, 1)
	go func() {
		done <- r.e.faults.Run(ctx, fault.Phase{Targets: r.targets(), Counts: r.counts, Expected: expected, Start: start})
	}()
	finished := false
	w := &watch{}
	w.drained = func() (bool, error) {
		if !finished {
			select {
			case r.res.Faults = <-done:
				finished = true
			default:
				return false, nil
			}
		}
		got := r.counts(ctx)
		w.delivered = float64(got["sse"])
		for k, n := range expected {
			if got[k] < n {
				return false, nil
			}
		}
		return true, nil
	}
	w.stop = func() error {
		if !finished {
			r.res.Faults = <-done
		}
		for _, f := range r.res.Faults {
			if f.Error != "" {
				r.res.Errors = append(r.res.Errors, fmt.Sprintf("fault %s: %s", f.Kind, f.Error))
			}
		}
		return nil
	}
	return w
}

// targets are the phase's processes, for the faults and chaos to kill.
func (r *phaseRun) targets() []fault.Target {
	out := make([]fault.Target, len(r.procs))
	for i, p := range r.procs {
		out[i] = p
	}
	return out
}

// counts reads how many notifications each sink holds (fault.SinkCounter).
func (r *phaseRun) counts(ctx context.Context, only ...string) map[string]int {
	out := map[string]int{}
	want := func(sink string) bool { return len(only) == 0 || slices.Contains(only, sink) }
	if want("irc") {
		out["irc"] = r.receivers.count()
	}
	if want("sse") {
		if n, err := r.store.Count(ctx, r.users); err == nil {
			out["sse"] = int(n)
		}
	}
	if want("email") {
		if n, err := r.mail.count(ctx); err == nil {
			out["email"] = n
		}
	}
	return out
}
