package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"fmn/internal/config"
	"fmn/internal/notify/sse"
	"fmn/internal/ssetoken"
	"fmn/internal/wire"
)

// sseResult is what the sse mode reports, as a table and as JSON.
type sseResult struct {
	Conns            int     `json:"conns"`
	Rate             float64 `json:"rate_per_s"`
	Duration         string  `json:"duration"`
	Sent             int     `json:"sent"`
	Received         int64   `json:"received"`
	BytesPerConn     float64 `json:"bytes_per_conn"`
	HeapPerConn      float64 `json:"heap_bytes_per_conn"`
	StackPerConn     float64 `json:"stack_bytes_per_conn"`
	LatencyP50Millis float64 `json:"latency_p50_ms"`
	LatencyP99Millis float64 `json:"latency_p99_ms"`
	LatencyMaxMillis float64 `json:"latency_max_ms"`
}

// sseBench measures one backend's SSE serving: it starts the server in a child process, opens
// the streams, appends notifications at the rate for the duration, and reports what arrived, the
// delays and the server's memory per stream.
func sseBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conns := fs.Int("conns", 10000, "concurrent SSE streams (one user each)")
	rate := fs.Float64("rate", 1000, "notifications appended per second, spread over the users")
	dur := fs.Duration("duration", 20*time.Second, "how long to append (bounded: at most 5m)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dur > 5*time.Minute || *conns < 1 || *rate <= 0 {
		return fmt.Errorf("need 1 <= conns, 0 < rate, duration <= 5m")
	}
	rdb, err := benchRedis()
	if err != nil {
		return err
	}
	defer rdb.Close()
	prefix := fmt.Sprintf("fmnbench:%d:", time.Now().UnixNano())
	defer cleanup(ctx, rdb, prefix)
	secret := strings.Repeat("b", ssetoken.MinSecretLen)
	signer, err := ssetoken.NewSigner([]byte(secret))
	if err != nil {
		return err
	}
	store := sse.NewStore(rdb, sse.StoreConfig{Prefix: prefix, MaxLen: 100, TTL: time.Hour})

	srv, err := startSSEServer(ctx, prefix, secret, stderr)
	if err != nil {
		return err
	}
	defer srv.stop()
	before, err := srv.stats()
	if err != nil {
		return fmt.Errorf("server stats: %w", err)
	}
	cctx, cancelClients := context.WithCancel(ctx)
	defer cancelClients()
	clients := openSSEClients(cctx, srv.addr, signer, *conns)
	after, err := srv.waitStreams(*conns)
	if err != nil {
		return err
	}
	sent, err := appendAtRate(ctx, store, *rate, *dur, *conns)
	if err != nil {
		return err
	}
	clients.drain(sent)
	cancelClients()
	clients.done.Wait()

	res := clients.result(*conns, *rate, *dur, sent)
	res.BytesPerConn = float64(after.Sys-before.Sys) / float64(*conns)
	res.HeapPerConn = float64(after.HeapInuse-before.HeapInuse) / float64(*conns)
	res.StackPerConn = float64(after.StackInuse-before.StackInuse) / float64(*conns)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "streams %d, %.0f notifications/s for %s: sent %d, received %d\n", res.Conns, res.Rate, res.Duration, res.Sent, res.Received)
	fmt.Fprintf(stdout, "server memory per stream: heap %.1f KiB, stacks %.1f KiB, process %.1f KiB\n",
		res.HeapPerConn/1024, res.StackPerConn/1024, res.BytesPerConn/1024)
	fmt.Fprintf(stdout, "append -> receipt: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", res.LatencyP50Millis, res.LatencyP99Millis, res.LatencyMaxMillis)
	return nil
}

// benchRedis is a client of FMN_REDIS_URL with a pool large enough for the appends.
func benchRedis() (*redis.Client, error) {
	r := config.NewReader(os.LookupEnv)
	rc := config.ReadRedis(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	opts, err := redis.ParseURL(string(rc.URL))
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	opts.PoolSize = 64
	return redis.NewClient(opts), nil
}

// sseServer is the server side, running as a child process (sseServe), as a backend would, so
// its memory is its own and the two sides' sockets fit the open-file limit.
type sseServer struct {
	cmd  *exec.Cmd
	addr string
}

// startSSEServer starts this program in sse-serve mode on the keys under prefix and reads the
// address it listens on.
func startSSEServer(ctx context.Context, prefix, secret string, stderr io.Writer) (*sseServer, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find myself: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "sse-serve")
	cmd.Env = append(os.Environ(), "FMNBENCH_PREFIX="+prefix, "FMNBENCH_SECRET="+secret)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("server pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &sseServer{cmd: cmd}
	if _, err := fmt.Fscanln(out, &s.addr); err != nil {
		s.stop()
		return nil, fmt.Errorf("server address: %w", err)
	}
	return s, nil
}

// stop kills the server.
func (s *sseServer) stop() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() }

// stats reads the server's /stats.
func (s *sseServer) stats() (serverStats, error) {
	var st serverStats
	resp, err := http.Get("http://" + s.addr + "/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// waitStreams waits (bounded) until the server holds conns streams and returns its stats then.
func (s *sseServer) waitStreams(conns int) (serverStats, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := s.stats()
		if err != nil {
			return st, fmt.Errorf("server stats: %w", err)
		}
		if st.Streams >= conns {
			return st, nil
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("only %d of %d streams opened", st.Streams, conns)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition with a deadline, in a tool
	}
}

// sseClients are the benchmark's streams: each records the delay of every event it receives.
type sseClients struct {
	mu        sync.Mutex
	delays    []time.Duration
	received  atomic.Int64
	connected sync.WaitGroup
	done      sync.WaitGroup
}

// openSSEClients opens a stream for each of conns users on the server at addr, until ctx ends.
func openSSEClients(ctx context.Context, addr string, signer *ssetoken.Signer, conns int) *sseClients {
	c := &sseClients{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	base := "http://" + addr + "/stream?token="
	for i := range conns {
		c.connected.Add(1)
		c.done.Add(1)
		go func() {
			defer c.done.Done()
			c.read(ctx, client, base+url.QueryEscape(signer.Issue(user(i), time.Now(), time.Hour)))
		}()
	}
	return c
}

// read reads one stream until it ends, recording each notification's delay.
func (c *sseClients) read(ctx context.Context, client *http.Client, u string) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := client.Do(req)
	if err != nil {
		c.connected.Done()
		return
	}
	defer resp.Body.Close()
	once := sync.OnceFunc(c.connected.Done)
	defer once()
	_ = sse.Parse(resp.Body, func(ev sse.ClientEvent) error {
		once()
		if ev.Event != "notification" {
			return nil
		}
		var p sse.Payload
		if json.Unmarshal([]byte(ev.Data), &p) == nil {
			if ns, err := strconv.ParseInt(strings.TrimPrefix(p.MessageID, "b"), 10, 64); err == nil {
				d := time.Since(time.Unix(0, ns))
				c.mu.Lock()
				c.delays = append(c.delays, d)
				c.mu.Unlock()
				c.received.Add(1)
			}
		}
		return nil
	})
}

// drain lets the last events arrive (bounded): until sent were received.
func (c *sseClients) drain(sent int) {
	deadline := time.Now().Add(10 * time.Second)
	for c.received.Load() < int64(sent) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// result is what the clients saw, once they are done.
func (c *sseClients) result(conns int, rate float64, dur time.Duration, sent int) sseResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	slices.Sort(c.delays)
	pct := func(p float64) float64 {
		if len(c.delays) == 0 {
			return 0
		}
		return float64(c.delays[min(len(c.delays)-1, int(p*float64(len(c.delays))))].Microseconds()) / 1000
	}
	return sseResult{Conns: conns, Rate: rate, Duration: dur.String(), Sent: sent, Received: c.received.Load(),
		LatencyP50Millis: pct(0.50), LatencyP99Millis: pct(0.99), LatencyMaxMillis: pct(1)}
}

// appendAtRate appends notifications at rate a second for dur, to the users in turn, and returns
// how many: each tick appends what is due by then, in one pipeline, so the rate holds even when a
// round trip is slower than the tick.
func appendAtRate(ctx context.Context, store *sse.Store, rate float64, dur time.Duration, conns int) (int, error) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	end := start.Add(dur)
	sent := 0
	for now := start; now.Before(end); now = time.Now() {
		select {
		case <-ctx.Done():
			return sent, ctx.Err()
		case <-tick.C:
		}
		due := int(time.Since(start).Seconds() * rate)
		var batch []wire.Notification
		for ; sent < due; sent++ {
			batch = append(batch, wire.Notification{ID: strconv.Itoa(sent), MessageID: "b" + strconv.FormatInt(time.Now().UnixNano(), 10),
				User: user(sent % conns), Topic: "org.fedoraproject.prod.bench"})
		}
		if _, err := store.Append(ctx, batch); err != nil {
			return sent, fmt.Errorf("append: %w", err)
		}
	}
	return sent, nil
}

func user(i int) string { return "u" + strconv.Itoa(i) }

// serverStats is what the server process reports on /stats.
type serverStats struct {
	Streams    int    `json:"streams"`
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Sys        uint64 `json:"sys"`
}

// sseServe is the server side: the real SSE handler, hub and store on a loopback port it prints,
// plus /stats with its stream count and memory (after a GC).
func sseServe(ctx context.Context, stdout, stderr io.Writer) error {
	r := config.NewReader(os.LookupEnv)
	rc := config.ReadRedis(r)
	if err := r.Err(); err != nil {
		return err
	}
	opts, err := redis.ParseURL(string(rc.URL))
	if err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	signer, err := ssetoken.NewSigner([]byte(os.Getenv("FMNBENCH_SECRET")))
	if err != nil {
		return err
	}
	logger := quietLogger(stderr)
	store := sse.NewStore(rdb, sse.StoreConfig{Prefix: os.Getenv("FMNBENCH_PREFIX"), MaxLen: 100, TTL: time.Hour})
	hub := sse.NewHub(rdb, store.Channel(), logger)
	reg := prometheus.NewRegistry()
	h := sse.NewHandler(store, hub, signer, sse.HandlerConfig{Heartbeat: 15 * time.Second}, logger, reg, time.Now)
	mux := http.NewServeMux()
	mux.Handle("GET /stream", h)
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		streams := 0
		if mfs, err := reg.Gather(); err == nil {
			for _, mf := range mfs {
				if mf.GetName() == "fmn_sse_connections" {
					streams = int(mf.GetMetric()[0].GetGauge().GetValue())
				}
			}
		}
		_ = json.NewEncoder(w).Encode(serverStats{Streams: streams, HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse, Sys: ms.Sys})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hub.Run(ctx) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	fmt.Fprintln(stdout, ln.Addr().String())
	if err := srv.Serve(ln); err != nil && ctx.Err() == nil && err != http.ErrServerClosed {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// cleanup deletes the benchmark's keys.
func cleanup(ctx context.Context, rdb *redis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			rdb.Del(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}
