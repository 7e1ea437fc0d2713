package loadtest

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"fmn/internal/devtools"
	"fmn/internal/loadtest/fault"
	"fmn/internal/loadtest/report"
	"fmn/internal/testkit/pgtest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/testkit/redistest"
	"fmn/internal/testkit/testenv"
)

// TestCheckCountsLostDuplicatedAndUnexpected: the check is what makes a run's "lost 0,
// duplicated 0" mean something.
func TestCheckCountsLostDuplicatedAndUnexpected(t *testing.T) {
	t.Parallel()
	tr := &traffic{expected: 3, ids: map[string]int{"a": 0, "b": 0, "c": 1}}
	var r report.PhaseResult
	check(&r, tr, map[string]int{"a": 1, "b": 2, "x": 1}, map[string]int{"a": 2, "b": 1})
	require.Equal(t, 2, r.Delivered)
	require.Equal(t, 1, r.Lost, "c never arrived")
	require.Equal(t, 2, r.Duplicated, "b stored twice, a sent twice to a client")
	require.Equal(t, 1, r.Unexpected, "x was never expected")
}

// services checks PostgreSQL and builds the binaries into a temporary directory; it returns the
// maintenance database URL and the binaries' directory.
func services(t *testing.T) (admin, bin string) {
	t.Helper()
	admin = pgtest.AdminURL()
	conn, err := pgx.Connect(context.Background(), admin)
	if err != nil {
		testenv.Unavailable(t, "PostgreSQL", err)
	}
	conn.Close(context.Background())
	bin = t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "fmn/cmd/consumer", "fmn/cmd/worker", "fmn/cmd/backend")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run(), "build the binaries")
	return admin, bin
}

// database names a database for the test and drops it when the test ends.
func database(t *testing.T, admin string) string {
	t.Helper()
	name := "fmnlt_" + testenv.UniqueName(t)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	return name
}

// run runs the tool with cfg's shape on the machine's services, in a database, queues and keys of
// the test's own, and fails the test if the run fails. broker returns the broker's URL and takes
// rabbittest's lock on it (rabbittest.URL, or restartable), after the binaries are built.
func run(t *testing.T, cfg Config, broker func(testing.TB) string) *report.Report {
	t.Helper()
	admin, bin := services(t)
	cfg.AMQPURL = broker(t)
	name := database(t, admin)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cfg.PostgresURL, cfg.RedisURL, cfg.BinDir = admin, redistest.URL(), bin
	cfg.Database, cfg.Prefix, cfg.Logs = name, name, testWriter{t}
	rep, err := Run(ctx, cfg)
	require.NoError(t, err)
	return rep
}

// TestRunSmall runs the whole tool on a small population with the real binaries and services:
// two full-speed phases and a latency phase, each delivering everything exactly once.
func TestRunSmall(t *testing.T) {
	rep := run(t, Config{Users: 300, Seed: 7, Heavy: 0.1, Messages: 600, Workers: []int{1, 2}, LatencyFraction: 0.5,
		SSEClients: 20, Archive: true, Ceiling: true}, rabbittest.URL)
	require.Equal(t, 300, rep.Users)
	require.Greater(t, rep.Filters, 300)
	require.NotNil(t, rep.Ceiling)
	require.Positive(t, rep.Ceiling.SingleHop)
	require.Positive(t, rep.Ceiling.TwoHop)
	require.Len(t, rep.Phases, 3)
	for _, p := range rep.Phases {
		require.Empty(t, p.Errors, p.Name)
		require.Positive(t, p.Expected, p.Name)
		require.Equal(t, p.Expected, p.Delivered, p.Name)
		require.Zero(t, p.Lost, p.Name)
		require.Zero(t, p.Duplicated, p.Name)
		require.Zero(t, p.Unexpected, p.Name)
		require.Positive(t, p.Latency.Samples, "%s: the SSE clients saw notifications", p.Name)
		require.Positive(t, p.MsgPerSec, p.Name)
		require.Positive(t, p.CPUSeconds["consumer"], p.Name)
		require.Positive(t, p.CPUSeconds["workers"], p.Name)
		require.Positive(t, p.CPUSeconds["backend"], p.Name)
		require.Contains(t, p.MaxBacklog, "fmn.bus", p.Name)
		require.Contains(t, p.MaxBacklog, "fmn.archive", p.Name)
	}
	require.Equal(t, 2, rep.Phases[1].Workers)
	require.Positive(t, rep.Phases[2].Rate, "the latency phase is paced")
	require.Positive(t, rep.Phases[0].CeilingRatio)
}

// testWriter sends the processes' output to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// TestChaosKillsLoseNothing is the short form of the fault suite: while a pipeline drains, a
// random process (the consumer, a worker or the backend) is killed with SIGKILL and restarted
// several times; every notification is still stored, once.
func TestChaosKillsLoseNothing(t *testing.T) {
	rep := run(t, Config{Users: 300, Seed: 3, Messages: 6000, Workers: []int{2}, Archive: true, Chaos: 250 * time.Millisecond}, rabbittest.URL)
	require.Len(t, rep.Phases, 1)
	p := rep.Phases[0]
	require.Empty(t, p.Errors)
	var kills int
	for _, n := range p.Kills {
		kills += n
	}
	require.Positive(t, kills, "processes were killed during the drain")
	require.Positive(t, p.Expected)
	require.Zero(t, p.Lost)
	require.Zero(t, p.Duplicated)
	require.Zero(t, p.Unexpected)
	t.Logf("%d kills (%v), %d notifications, lost 0, duplicated 0", kills, p.Kills, p.Expected)
}

// TestFaultsLoseNothing is the short form of the fault suite (make chaos runs the full one): while
// the pipeline works through paced traffic, a worker, the backend and the consumer are killed and
// restarted, RabbitMQ is restarted, PostgreSQL and Redis are stopped for a while, the SMTP server
// refuses and the IRC server restarts; afterwards the SSE streams, mailpit, the IRC receivers and
// the delivery ledger hold exactly what the filters call for.
func TestFaultsLoseNothing(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Unavailable(t, "the fault suite (pg_createcluster)", errors.New("needs root"))
	}
	for _, tool := range []string{devtools.MailpitPath(), devtools.ErgoPath()} {
		if _, err := os.Stat(tool); err != nil {
			testenv.Unavailable(t, "the test tools (scripts/tools.sh)", err)
		}
	}
	faults, err := fault.Parse("worker,backend,consumer,rabbitmq,postgres=3s,redis=3s,irc,smtp=5s")
	require.NoError(t, err)
	retries := []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second}
	// The run restarts the broker: no other test may use it meanwhile.
	restartable := func(t testing.TB) string { url, _ := rabbittest.Restartable(t); return url }
	rep := run(t, Config{Users: 300, Seed: 5, Messages: 12000, Rate: 300, Workers: []int{2}, Archive: true,
		Faults: faults, FaultGap: 700 * time.Millisecond, MailUsers: 6, IRCUsers: 4, EmailRetryDelays: retries, IRCRetryDelays: retries}, restartable)
	require.Len(t, rep.Phases, 1)
	p := rep.Phases[0]
	require.Empty(t, p.Errors)
	require.Len(t, p.Faults, len(faults))
	for _, f := range p.Faults {
		require.Empty(t, f.Error, f.Kind)
		t.Logf("fault %s %s at %.1f s: down %.2f s, %s recovered in %.2f s", f.Kind, f.Target, f.AtSeconds, f.DownSeconds, f.Channel, f.RecoverySeconds)
	}
	names := map[string]report.SinkResult{}
	for _, s := range p.Sinks {
		names[s.Name] = s
		t.Logf("sink %s: expected %d, delivered %d, lost %d, duplicated %d, unexpected %d", s.Name, s.Expected, s.Delivered, s.Lost, s.Duplicated, s.Unexpected)
		require.Positive(t, s.Expected, s.Name)
		require.Equal(t, s.Expected, s.Delivered, s.Name)
	}
	require.ElementsMatch(t, []string{"sse", "email", "irc", "ledger"}, slices.Collect(maps.Keys(names)))
	require.Equal(t, names["email"].Expected+names["irc"].Expected, names["ledger"].Expected)
	require.Zero(t, p.Lost)
	require.Zero(t, p.Duplicated)
	require.Zero(t, p.Unexpected)
}
