package fault

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"fmn/internal/childproc"
	"fmn/internal/devtools"
)

// serviceStartTimeout bounds the wait for one of the services to be ready, at the start or after
// a fault.
const serviceStartTimeout = 2 * time.Minute

// Services are the services a fault run brings of its own, so that stopping them disturbs
// nothing else on the machine (other runs, tests in other packages): a PostgreSQL cluster, a Redis
// server that keeps its data across a restart (append-only file, as a production Redis holding
// SSE replay streams would), a mailpit behind a gate that can refuse SMTP, and an ergo IRC server.
// RabbitMQ is the machine's: restarting it is Injector.RestartBroker.
type Services struct {
	dir string

	pg       *pgCluster
	redis    *childproc.Proc
	redisURL string
	mailpit  *childproc.Proc
	mailAPI  string
	gate     *smtpGate
	ergo     *childproc.Proc
	ircAddr  string
}

// StartServices starts the services in a temporary directory, their output going to logs; name
// names the PostgreSQL cluster (a cluster of that name left by an earlier run is dropped first).
func StartServices(ctx context.Context, name string, logs io.Writer) (s *Services, err error) {
	dir, err := os.MkdirTemp("", "fmnfaults-")
	if err != nil {
		return nil, fmt.Errorf("fault services: %w", err)
	}
	s = &Services{dir: dir}
	defer func() {
		if err != nil {
			s.Close(ctx)
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

// PostgresURL is the URL of the cluster's maintenance database.
func (s *Services) PostgresURL() string { return s.pg.url() }

// RedisURL is the Redis server's URL.
func (s *Services) RedisURL() string { return s.redisURL }

// MailAPI is the base URL of mailpit's HTTP API.
func (s *Services) MailAPI() string { return s.mailAPI }

// SMTPAddr is where the backend sends mail: the gate in front of mailpit.
func (s *Services) SMTPAddr() string { return s.gate.addr() }

// IRCAddr is the host:port of the IRC server.
func (s *Services) IRCAddr() string { return s.ircAddr }

// Close stops every service and removes the cluster and the directory; it goes on after ctx ends
// (it is a cleanup), bounded by its own timeouts.
func (s *Services) Close(ctx context.Context) {
	if s.gate != nil {
		s.gate.close()
	}
	for _, p := range []*childproc.Proc{s.ergo, s.mailpit, s.redis} {
		if p != nil {
			p.Stop()
		}
	}
	if s.pg != nil {
		s.pg.drop(ctx)
	}
	_ = os.RemoveAll(s.dir)
}

// start starts a service process and waits until it is ready.
func start(ctx context.Context, spec childproc.Spec) (*childproc.Proc, error) {
	if _, err := os.Stat(spec.Bin); err != nil {
		return nil, fmt.Errorf("%s: %w (scripts/tools.sh builds the test tools)", spec.Name, err)
	}
	p, err := childproc.Start(spec)
	if err != nil {
		return nil, err
	}
	return p, p.WaitReady(ctx, serviceStartTimeout)
}

func (s *Services) startRedis(ctx context.Context, logs io.Writer) (err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return fmt.Errorf("fault services: %w", err)
	}
	addr, err := childproc.FreeAddr()
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
	s.redis, err = start(ctx, childproc.Spec{Name: "redis", Bin: bin, Output: logs, Ready: ping, Args: []string{
		"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
		"--dir", dir, "--daemonize", "no", "--logfile", "",
	}})
	return err
}

func (s *Services) startMailpit(ctx context.Context, logs io.Writer) (err error) {
	m, err := devtools.NewMailpit(s.dir)
	if err != nil {
		return err
	}
	m.KeepAll = true // the check reads every message of the run
	s.mailAPI = m.APIURL()
	if s.mailpit, err = start(ctx, m.Spec(logs)); err != nil {
		return err
	}
	s.gate, err = newSMTPGate(m.SMTPAddr)
	return err
}

func (s *Services) startErgo(ctx context.Context, logs io.Writer) (err error) {
	dir := filepath.Join(s.dir, "ergo")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("fault services: %w", err)
	}
	e, err := devtools.NewErgo(dir)
	if err != nil {
		return fmt.Errorf("fault services: %w", err)
	}
	s.ircAddr = e.Addr
	s.ergo, err = start(ctx, e.Spec(logs))
	return err
}
