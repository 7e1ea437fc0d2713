package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/procfs"

	"fmn/internal/childproc"
)

// proc is one fmn process started by the load tool: a real child process, so that scaling out
// is real (its own runtime, scheduler and GC). Chaos phases and kill faults kill and restart it
// in place.
type proc struct {
	*childproc.Proc
	addr string // serves /readyz, and /metrics unless metricsAddr is set
	// metricsAddr serves /metrics when the process has a metrics listener apart from addr
	// (the backend); empty: addr does.
	metricsAddr string
	// pprofAddr serves the profiler when the run takes profiles.
	pprofAddr string
}

// startProc runs bin with env added to the tool's environment; its output goes to logs. It is
// ready when /readyz on addr answers 200.
func startProc(name, bin, addr string, env []string, logs io.Writer) (*proc, error) {
	p := &proc{addr: addr}
	p.Proc = childproc.New(childproc.Spec{Name: name, Bin: bin, Env: env, Output: logs, Ready: p.readyz})
	return p, p.Start()
}

// readyz reports whether the process answers /readyz with 200.
func (p *proc) readyz(ctx context.Context) error {
	body, err := get(ctx, "http://"+p.addr+"/readyz")
	if err == nil {
		body.Close()
	}
	return err
}

// cpuSeconds is the CPU time (user + system) the process has used so far.
func (p *proc) cpuSeconds() (float64, error) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return 0, fmt.Errorf("procfs: %w", err)
	}
	pr, err := fs.Proc(p.Pid())
	if err != nil {
		return 0, fmt.Errorf("%s: %w", p.Name(), err)
	}
	st, err := pr.Stat()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", p.Name(), err)
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
		return nil, fmt.Errorf("scrape %s: %w", p.Name(), err)
	}
	defer body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(body)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", p.Name(), err)
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
		name := p.Name()
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
