// Package rabbittest gives tests a real RabbitMQ broker: its URL, a private
// topology per test, and a way to restart the broker or drop every
// connection to it.
//
// The broker is shared by every test binary running at the same time, so the
// helpers coordinate through a flock on LockFile: URL takes it shared,
// Restartable and CloseAllConnections take it exclusively, so nothing else
// uses the broker while they disrupt it. A test that calls Restartable or
// CloseAllConnections must therefore not call URL too, nor run under a
// parent test that did: it would wait for its own lock forever. They return
// the URL to use. For the same reason a parallel test calls t.Parallel
// before URL: a test paused by t.Parallel must not hold the lock that a
// sequential restart test waits for.
package rabbittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/rabbit"
)

const (
	// EnvURL names the environment variable holding the test broker URL.
	EnvURL = "FMN_TEST_AMQP_URL"
	// DefaultURL is the broker used when EnvURL is unset.
	DefaultURL = "amqp://guest:guest@127.0.0.1:5672/"
	// LockFile is the flock that serializes broker restarts against
	// ordinary use across test binaries.
	LockFile = "/tmp/fmn-rabbittest.lock"

	// pingTimeout bounds the reachability check of URL.
	pingTimeout = 5 * time.Second
	// restartTimeout bounds how long restart waits for the broker to accept
	// connections again.
	restartTimeout = 2 * time.Minute
)

// URL returns the test broker's URL (from FMN_TEST_AMQP_URL, default
// DefaultURL) and holds a shared lock on LockFile until the test's cleanup.
// If the broker is unreachable the test is skipped, or fails when the CI
// environment variable is set.
func URL(t testing.TB) string {
	t.Helper()
	url := brokerURL()
	lock(t, syscall.LOCK_SH)
	if err := ping(url); err != nil {
		unavailable(t, fmt.Sprintf("rabbitmq at %s unreachable (set %s): %v", redact(url), EnvURL, err))
	}
	return url
}

// Restartable is URL with an exclusive lock, so no other test in any package
// uses the broker meanwhile, and a restart func that stops and starts the
// broker application (rabbitmqctl stop_app, start_app) and returns once it
// accepts connections again. A test calling Restartable must not call URL
// (it would deadlock on its own lock).
func Restartable(t testing.TB) (url string, restart func()) {
	t.Helper()
	url = exclusive(t)
	return url, func() {
		t.Helper()
		rabbitmqctl(t, "stop_app")
		rabbitmqctl(t, "start_app")
		waitUp(t, url)
	}
}

// CloseAllConnections is like Restartable, but its func closes every client
// connection to the broker (rabbitmqctl close_all_connections) without
// stopping it. A test calling it must not call URL.
func CloseAllConnections(t testing.TB) (url string, closeAll func()) {
	t.Helper()
	url = exclusive(t)
	return url, func() {
		t.Helper()
		rabbitmqctl(t, "close_all_connections", "fmn rabbittest")
	}
}

// Topology declares DefaultTopology prefixed with the sanitised test name
// and a random suffix on the broker at url, and deletes it in the test's
// cleanup. Its bus exchange is a test-owned topic exchange. It takes no lock:
// pass the URL returned by URL, Restartable or CloseAllConnections.
func Topology(t testing.TB, url string) rabbit.Topology {
	t.Helper()
	top := rabbit.DefaultTopology().Prefixed(Prefix(t))
	withChannel(t, url, top.Declare)
	t.Cleanup(func() { withChannel(t, url, top.Delete) })
	return top
}

// Prefix returns a name prefix unique to this test run: the sanitised test
// name, a random suffix and a dot.
func Prefix(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, r := range t.Name() {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if len(name) > 100 { // queue names are at most 255 bytes
		name = name[:100]
	}
	return name + "-" + randomHex(4) + "."
}

func withChannel(t testing.TB, url string, f func(*amqp.Channel) error) {
	t.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatalf("dial %s: %v", redact(url), err)
	}
	defer func() { _ = conn.Close() }()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatalf("open channel: %v", err)
	}
	if err := f(ch); err != nil {
		t.Fatal(err)
	}
}

func brokerURL() string {
	if url := os.Getenv(EnvURL); url != "" {
		return url
	}
	return DefaultURL
}

// exclusive takes the lock exclusively and checks the broker and
// rabbitmqctl are there.
func exclusive(t testing.TB) string {
	t.Helper()
	url := brokerURL()
	if _, err := exec.LookPath("rabbitmqctl"); err != nil {
		unavailable(t, "rabbitmqctl not found: "+err.Error())
	}
	lock(t, syscall.LOCK_EX)
	if err := ping(url); err != nil {
		unavailable(t, fmt.Sprintf("rabbitmq at %s unreachable (set %s): %v", redact(url), EnvURL, err))
	}
	return url
}

// lock takes a flock of the given kind on LockFile until the test's cleanup.
// Each call opens the file anew, so locks taken by tests of one process
// conflict like those of different processes.
func lock(t testing.TB, how int) {
	t.Helper()
	f, err := os.OpenFile(LockFile, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		t.Fatalf("open %s: %v", LockFile, err)
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		_ = f.Close()
		t.Fatalf("lock %s: %v", LockFile, err)
	}
	t.Cleanup(func() { _ = f.Close() }) // closing releases the lock
}

func ping(url string) error {
	conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(pingTimeout)})
	if err != nil {
		return err
	}
	return conn.Close()
}

// waitUp polls until the broker accepts connections.
func waitUp(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(restartTimeout)
	for {
		err := ping(url)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("rabbitmq did not come back within %s: %v", restartTimeout, err)
		}
		time.Sleep(100 * time.Millisecond) // poll interval, not a wait for an event
	}
}

func rabbitmqctl(t testing.TB, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), restartTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "rabbitmqctl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rabbitmqctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// redact hides the password of url.
func redact(url string) string {
	u, err := amqp.ParseURI(url)
	if err != nil {
		return "(invalid url)"
	}
	u.Password = "xxx"
	return u.String()
}
