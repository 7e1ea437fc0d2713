package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/internal/testkit/irctest"
	"fmn/internal/testkit/mailtest"
	"fmn/internal/testkit/testproc"
)

// faultServices are the services a fault run brings of its own, so that stopping them disturbs
// nothing else on the machine (other runs, tests in other packages): a PostgreSQL cluster, a Redis
// server that keeps its data across a restart (append-only file, as a production Redis holding
// SSE replay streams would), a mailpit behind a gate that can refuse SMTP, and an ergo IRC server.
// RabbitMQ is the machine's: restarting it is Config.RestartBroker.
type faultServices struct {
	dir string

	pg       *pgCluster
	redis    *proc
	redisURL string
	mailpit  *proc
	mailAPI  string
	gate     *smtpGate
	ergo     *proc
	ircAddr  string
}

// startFaultServices starts the services in a temporary directory; name names the PostgreSQL
// cluster (a cluster of that name left by an earlier run is dropped first).
func startFaultServices(ctx context.Context, name string, logs io.Writer) (s *faultServices, err error) {
	dir, err := os.MkdirTemp("", "fmnfaults-")
	if err != nil {
		return nil, fmt.Errorf("fault services: %w", err)
	}
	s = &faultServices{dir: dir}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.pg, err = createCluster(ctx, name); err != nil {
		return s, err
	}
	if err := s.startRedis(ctx, logs); err != nil {
		return s, err
	}
	if err := s.startMailpit(ctx, logs); err != nil {
		return s, err
	}
	if err := s.startErgo(ctx, logs); err != nil {
		return s, err
	}
	return s, nil
}

// close stops every service and removes the cluster and the directory.
func (s *faultServices) close() {
	if s.gate != nil {
		s.gate.close()
	}
	for _, p := range []*proc{s.ergo, s.mailpit, s.redis} {
		if p != nil {
			p.stop()
		}
	}
	if s.pg != nil {
		s.pg.drop()
	}
	_ = os.RemoveAll(s.dir)
}

// freeAddr is a free loopback host:port.
func freeAddr() (string, error) {
	port, err := testproc.FreePort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

// dialReady is a readiness check: addr accepts TCP connections.
func dialReady(addr string) func(context.Context) error {
	return func(context.Context) error { return testproc.Dial(addr) }
}

func (s *faultServices) startRedis(ctx context.Context, logs io.Writer) error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("fault services: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(addr)
	dir := filepath.Join(s.dir, "redis")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("fault services: %w", err)
	}
	s.redisURL = "redis://" + addr + "/0"
	ping := func(ctx context.Context) error {
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer c.Close()
		return c.Ping(ctx).Err() // LOADING while it replays its file
	}
	s.redis = &proc{name: "redis", bin: bin, logs: logs, ready: ping, args: []string{
		"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
		"--dir", dir, "--daemonize", "no", "--logfile", "",
	}}
	return s.redis.start(ctx)
}

func (s *faultServices) startMailpit(ctx context.Context, logs io.Writer) error {
	smtpAddr, err := freeAddr()
	if err != nil {
		return err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return err
	}
	s.mailAPI = "http://" + httpAddr
	s.mailpit = &proc{name: "mailpit", bin: mailtest.BinaryPath(), logs: logs, ready: dialReady(smtpAddr), args: []string{
		"-s", smtpAddr, "-l", httpAddr, "--database", filepath.Join(s.dir, "mailpit.db"), "--max", "0",
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--disable-version-check", "-q",
	}}
	if err := s.mailpit.start(ctx); err != nil {
		return err
	}
	s.gate, err = newSMTPGate(smtpAddr)
	return err
}

func (s *faultServices) startErgo(ctx context.Context, logs io.Writer) error {
	port, err := testproc.FreePort()
	if err != nil {
		return err
	}
	dir := filepath.Join(s.dir, "ergo")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("fault services: %w", err)
	}
	conf := filepath.Join(dir, "ircd.yaml")
	if err := os.WriteFile(conf, []byte(irctest.Config(port)), 0o600); err != nil {
		return fmt.Errorf("fault services: %w", err)
	}
	s.ircAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s.ergo = &proc{name: "ergo", bin: irctest.BinaryPath(), dir: dir, logs: logs, ready: dialReady(s.ircAddr),
		args: []string{"run", "--conf", conf}}
	return s.ergo.start(ctx)
}

// start launches a service process and waits until it is ready.
func (p *proc) start(ctx context.Context) error {
	if _, err := os.Stat(p.bin); err != nil {
		return fmt.Errorf("%s: %w (scripts/tools.sh builds the test tools)", p.name, err)
	}
	if err := p.launch(); err != nil {
		return err
	}
	return p.waitReady(ctx, 2*time.Minute)
}

// pgCluster is a PostgreSQL cluster of Debian's postgresql-common (pg_createcluster), trusting
// loopback connections, on a port of its own.
type pgCluster struct {
	version, name string
	port          int
}

// createCluster creates and starts the cluster name with the newest installed PostgreSQL.
func createCluster(ctx context.Context, name string) (*pgCluster, error) {
	vers, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(vers) == 0 {
		return nil, fmt.Errorf("fault services: no PostgreSQL in /etc/postgresql (postgresql-common): %v", err)
	}
	names := make([]string, 0, len(vers))
	for _, v := range vers {
		names = append(names, v.Name())
	}
	slices.SortFunc(names, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	c := &pgCluster{version: names[len(names)-1], name: name}
	if _, err := os.Stat(filepath.Join("/etc/postgresql", c.version, name)); err == nil {
		c.drop() // left by a run that was killed
	}
	if c.port, err = testproc.FreePort(); err != nil {
		return nil, err
	}
	if err := command(ctx, "pg_createcluster", c.version, name, "-p", strconv.Itoa(c.port), "--", "--auth=trust"); err != nil {
		return nil, err
	}
	return c, c.start(ctx)
}

// url is the maintenance database's URL.
func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) start(ctx context.Context) error {
	return command(ctx, "pg_ctlcluster", c.version, c.name, "start")
}

// stop shuts the cluster down at once (fast mode: sessions are disconnected).
func (c *pgCluster) stop(ctx context.Context) error {
	return command(ctx, "pg_ctlcluster", c.version, c.name, "stop", "-m", "fast")
}

func (c *pgCluster) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = command(ctx, "pg_dropcluster", "--stop", c.version, c.name)
}

// command runs a program and returns an error with its output if it fails.
func command(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// smtpGate is a relay in front of an SMTP server that can refuse, the way a mail server that is
// overloaded or shutting down does (RFC 5321 §3.8): while refusing, it greets every new connection
// with 421, and answers 421 to the next command of a session in progress (never inside a message,
// never to a message already sent: the client waits for the reply to one command before the next),
// closing it. Everything else it passes through unchanged.
type smtpGate struct {
	ln       net.Listener
	target   string
	refusing atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// refusal is what the gate answers while refusing.
const refusal = "421 4.3.2 fmnbench: this server refuses mail for a fault test\r\n"

func newSMTPGate(target string) (*smtpGate, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtp gate: %w", err)
	}
	g := &smtpGate{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	g.wg.Go(g.serve)
	return g, nil
}

// addr is where the backend sends mail.
func (g *smtpGate) addr() string { return g.ln.Addr().String() }

func (g *smtpGate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.wg.Go(func() { g.relay(c) })
	}
}

// relay passes one session through: the server's side as it comes, the client's line by line,
// following whether a line is a command or part of a message.
func (g *smtpGate) relay(c net.Conn) {
	defer c.Close()
	if g.refusing.Load() {
		_, _ = io.WriteString(c, refusal)
		return
	}
	up, err := net.Dial("tcp", g.target)
	if err != nil {
		return
	}
	defer up.Close()
	if !g.track(c, up) {
		return
	}
	defer g.untrack(c, up)
	g.wg.Go(func() {
		_, _ = io.Copy(c, up)
		_ = c.Close()
	})
	r := bufio.NewReader(c)
	inData := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimRight(line, "\r\n"))
		switch {
		case inData:
			inData = cmd != "."
		case g.refusing.Load():
			_, _ = io.WriteString(c, refusal)
			return
		case cmd == "DATA":
			inData = true
		}
		if _, err := io.WriteString(up, line); err != nil {
			return
		}
	}
}

// track registers a relayed session, which close ends; false once the gate is closed.
func (g *smtpGate) track(cs ...net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns == nil {
		return false
	}
	for _, c := range cs {
		g.conns[c] = struct{}{}
	}
	return true
}

func (g *smtpGate) untrack(cs ...net.Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range cs {
		delete(g.conns, c)
	}
}

// refuse starts refusing or stops.
func (g *smtpGate) refuse(on bool) { g.refusing.Store(on) }

// close stops the gate and ends the sessions it relays.
func (g *smtpGate) close() {
	_ = g.ln.Close()
	g.mu.Lock()
	for c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
	g.mu.Unlock()
	g.wg.Wait()
}
