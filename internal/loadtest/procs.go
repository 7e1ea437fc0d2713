package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/procfs"
)

// proc is one fmn process started by the load tool: a real child process, so that scaling out
// is real (its own runtime, scheduler and GC). Chaos phases kill and restart it in place.
type proc struct {
	name string
	addr string // serves /readyz, and /metrics unless metricsAddr is set
	// metricsAddr serves /metrics when the process has a metrics listener apart from addr
	// (the backend); empty: addr does.
	metricsAddr string
	// pprofAddr serves the profiler when the run takes profiles.
	pprofAddr string
	bin       string
	args      []string
	dir       string // working directory; empty: the tool's
	env       []string
	logs      io.Writer
	// ready reports whether the process serves; nil: /readyz on addr answers 200.
	ready func(ctx context.Context) error

	mu   sync.Mutex // guards cmd, done and err, which a restart replaces
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// startProc runs bin with env added to the tool's environment; its output goes to logs.
func startProc(name, bin, addr string, env []string, logs io.Writer) (*proc, error) {
	p := &proc{name: name, addr: addr, bin: bin, env: env, logs: logs}
	return p, p.launch()
}

// launch starts the process.
func (p *proc) launch() error {
	cmd := exec.Command(p.bin, p.args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.done, p.err = cmd, done, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// running returns the current process and the channel closed when it exits.
func (p *proc) running() (*exec.Cmd, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd, p.done
}

// exitErr is how the current process ended (nil while it runs).
func (p *proc) exitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// killAndRestart kills the process with SIGKILL (no shutdown: whatever it held unacked goes back
// to its queue), starts it again with the same binary, environment and addresses, and waits until
// it is ready.
func (p *proc) killAndRestart(ctx context.Context) error {
	cmd, done := p.running()
	_ = cmd.Process.Kill()
	<-done
	if err := p.launch(); err != nil {
		return err
	}
	return p.waitReady(ctx, 5*time.Minute)
}

// waitReady waits until the process answers /readyz with 200.
func (p *proc) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	ready := p.ready
	if ready == nil {
		ready = func(ctx context.Context) error {
			body, err := get(ctx, "http://"+p.addr+"/readyz")
			if err == nil {
				body.Close()
			}
			return err
		}
	}
	for {
		if err := ready(ctx); err == nil {
			return nil
		}
		_, done := p.running()
		select {
		case <-done:
			return fmt.Errorf("%s exited before it was ready: %v", p.name, p.exitErr())
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s", p.name, timeout)
		case <-tick.C:
		}
	}
}

// restart stops the process (SIGTERM, as stop) and starts it again as it was, ready.
func (p *proc) restart(ctx context.Context) error {
	p.stop()
	if err := p.launch(); err != nil {
		return err
	}
	return p.waitReady(ctx, 2*time.Minute)
}

// stop asks the process to stop (SIGTERM) and kills it if it has not after 20 s.
func (p *proc) stop() {
	cmd, done := p.running()
	if cmd == nil {
		return // never started
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// cpuSeconds is the CPU time (user + system) the process has used so far.
func (p *proc) cpuSeconds() (float64, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0, fmt.Errorf("procfs: %w", err)
	}
	cmd, _ := p.running()
	pr, err := fs.Proc(cmd.Process.Pid)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", p.name, err)
	}
	st, err := pr.Stat()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", p.name, err)
	}
	return st.CPUTime(), nil
}

// metrics scrapes the process's /metrics.
func (p *proc) metrics(ctx context.Context) (map[string]*dto.MetricFamily, error) {
	addr := p.addr
	if p.metricsAddr != "" {
		addr = p.metricsAddr
	}
	body, err := get(ctx, "http://"+addr+"/metrics") // text format: no Accept header asks for another
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", p.name, err)
	}
	defer body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(body)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", p.name, err)
	}
	return fams, nil
}

// sum adds up the samples of a counter or gauge family whose labels include match.
func sum(fams map[string]*dto.MetricFamily, name string, match map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	var total float64
metrics:
	for _, m := range f.GetMetric() {
		for k, v := range match {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue metrics
			}
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		}
	}
	return total
}

// serviceCPU sums the CPU seconds used so far by the processes of each shared service on this
// machine (RabbitMQ's Erlang VM, PostgreSQL's backends, Redis), by their command names.
func serviceCPU() (map[string]float64, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return nil, fmt.Errorf("procfs: %w", err)
	}
	procs, err := fs.AllProcs()
	if err != nil {
		return nil, fmt.Errorf("procfs: %w", err)
	}
	names := map[string]string{"beam.smp": "rabbitmq", "postgres": "postgres", "redis-server": "redis"}
	out := map[string]float64{}
	for _, pr := range procs {
		st, err := pr.Stat()
		if err != nil {
			continue // gone meanwhile
		}
		if svc, ok := names[st.Comm]; ok {
			out[svc] += st.CPUTime()
		}
	}
	return out, nil
}

// binaries finds the fmn binaries in dir.
func binaries(dir string) (map[string]string, error) {
	out := map[string]string{}
	var missing []string
	for _, name := range []string{"consumer", "worker", "backend"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, name)
			continue
		}
		out[name] = p
	}
	if len(missing) > 0 {
		return nil, errors.New("missing binaries in " + dir + ": " + strings.Join(missing, ", ") + " (run `make build`)")
	}
	return out, nil
}

// selfCPU is the CPU time this process has used so far.
func selfCPU() (float64, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0, fmt.Errorf("procfs: %w", err)
	}
	pr, err := fs.Self()
	if err != nil {
		return 0, fmt.Errorf("procfs: %w", err)
	}
	st, err := pr.Stat()
	if err != nil {
		return 0, fmt.Errorf("procfs: %w", err)
	}
	return st.CPUTime(), nil
}

// profile saves a CPU profile of the next seconds of the process at path.
func (p *proc) profile(ctx context.Context, path string, seconds int) error {
	if p.pprofAddr == "" {
		return errors.New("no profiler address")
	}
	body, err := get(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", p.pprofAddr, seconds))
	if err != nil {
		return err
	}
	defer body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// get fetches url and returns its body, or an error unless the answer is 200 OK.
func get(ctx context.Context, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return resp.Body, nil
}
