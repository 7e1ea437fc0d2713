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

	r := config.NewReader(os.LookupEnv)
	rc := config.ReadRedis(r)
	if err := r.Err(); err != nil {
		return err
	}
	opts, err := redis.ParseURL(string(rc.URL))
	if err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	opts.PoolSize = 64
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	prefix := fmt.Sprintf("fmnbench:%d:", time.Now().UnixNano())
	defer cleanup(rdb, prefix)

	secret := strings.Repeat("b", ssetoken.MinSecretLen)
	signer, err := ssetoken.NewSigner([]byte(secret))
	if err != nil {
		return err
	}
	store := sse.NewStore(rdb, sse.StoreConfig{Prefix: prefix, MaxLen: 100, TTL: time.Hour})

	// The server runs in a child process, as a backend would, so its memory is its own and the
	// two sides' sockets fit the open-file limit.
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find myself: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "sse-serve")
	cmd.Env = append(os.Environ(), "FMNBENCH_PREFIX="+prefix, "FMNBENCH_SECRET="+secret)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("server pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var addr string
	if _, err := fmt.Fscanln(out, &addr); err != nil {
		return fmt.Errorf("server address: %w", err)
	}
	stats := func() (serverStats, error) {
		var st serverStats
		resp, err := http.Get("http://" + addr + "/stats")
		if err != nil {
			return st, err
		}
		defer resp.Body.Close()
		return st, json.NewDecoder(resp.Body).Decode(&st)
	}
	before, err := stats()
	if err != nil {
		return fmt.Errorf("server stats: %w", err)
	}

	// Open every stream; each client records the delay of every event it receives.
	cctx, cancelClients := context.WithCancel(ctx)
	defer cancelClients()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}}
	var (
		mu        sync.Mutex
		delays    []time.Duration
		received  atomic.Int64
		connected sync.WaitGroup
		done      sync.WaitGroup
	)
	base := "http://" + addr + "/stream?token="
	for i := range *conns {
		connected.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			u := base + url.QueryEscape(signer.Issue(user(i), time.Now(), time.Hour))
			req, _ := http.NewRequestWithContext(cctx, http.MethodGet, u, nil)
			resp, err := client.Do(req)
			if err != nil {
				connected.Done()
				return
			}
			defer resp.Body.Close()
			once := sync.OnceFunc(connected.Done)
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
						mu.Lock()
						delays = append(delays, d)
						mu.Unlock()
						received.Add(1)
					}
				}
				return nil
			})
		}()
	}
	// Wait (bounded) until the server holds every stream.
	deadline := time.Now().Add(2 * time.Minute)
	var after serverStats
	for {
		if after, err = stats(); err != nil {
			return fmt.Errorf("server stats: %w", err)
		}
		if after.Streams >= *conns {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d streams opened", after.Streams, *conns)
		}
		time.Sleep(100 * time.Millisecond) // polling a condition with a deadline, in a tool
	}

	// Append at the fixed rate, to users in turn: each tick appends what is due by then, in one
	// pipeline, so the rate holds even when a round trip is slower than the tick.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	end := start.Add(*dur)
	sent := 0
	for now := start; now.Before(end); now = time.Now() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		due := int(time.Since(start).Seconds() * *rate)
		var batch []wire.Notification
		for ; sent < due; sent++ {
			batch = append(batch, wire.Notification{ID: strconv.Itoa(sent), MessageID: "b" + strconv.FormatInt(time.Now().UnixNano(), 10),
				User: user(sent % *conns), Topic: "org.fedoraproject.prod.bench"})
		}
		if _, err := store.Append(ctx, batch); err != nil {
			return fmt.Errorf("append: %w", err)
		}
	}
	// Let the last events arrive (bounded).
	drain := time.Now().Add(10 * time.Second)
	for received.Load() < int64(sent) && time.Now().Before(drain) {
		time.Sleep(20 * time.Millisecond)
	}
	cancelClients()
	done.Wait()

	mu.Lock()
	slices.Sort(delays)
	mu.Unlock()
	pct := func(p float64) float64 {
		if len(delays) == 0 {
			return 0
		}
		return float64(delays[min(len(delays)-1, int(p*float64(len(delays))))].Microseconds()) / 1000
	}
	res := sseResult{
		Conns: *conns, Rate: *rate, Duration: dur.String(), Sent: sent, Received: received.Load(),
		BytesPerConn:     float64(after.Sys-before.Sys) / float64(*conns),
		HeapPerConn:      float64(after.HeapInuse-before.HeapInuse) / float64(*conns),
		StackPerConn:     float64(after.StackInuse-before.StackInuse) / float64(*conns),
		LatencyP50Millis: pct(0.50), LatencyP99Millis: pct(0.99), LatencyMaxMillis: pct(1),
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "streams %d, %.0f notifications/s for %s: sent %d, received %d\n", res.Conns, res.Rate, res.Duration, res.Sent, res.Received)
	fmt.Fprintf(stdout, "server memory per stream: heap %.1f KiB, stacks %.1f KiB, process %.1f KiB\n",
		res.HeapPerConn/1024, res.StackPerConn/1024, res.BytesPerConn/1024)
	fmt.Fprintf(stdout, "append -> receipt: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", res.LatencyP50Millis, res.LatencyP99Millis, res.LatencyMaxMillis)
	return nil
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
func cleanup(rdb *redis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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
