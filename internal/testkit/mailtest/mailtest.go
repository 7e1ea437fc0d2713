// Package mailtest gives tests a real SMTP server: a mailpit process on free loopback ports,
// started per test, read through its HTTP API, and stopped by pid at cleanup.
//
// The mailpit binary is built from the tools module (tools/go.mod) by scripts/tools.sh into
// $HOME/.cache/fmn-tools/mailpit-<version>/mailpit, so a second build costs nothing; FMN_MAILPIT
// names another binary. A missing binary skips the test locally and fails it in CI.
package mailtest

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fmn/internal/mailpitapi"
	"fmn/internal/testkit/testproc"
)

// MailpitVersion is the mailpit version tools/go.mod pins (a test keeps them in step).
const MailpitVersion = "v1.27.11"

// EnvBinary names the variable that overrides the mailpit binary's path.
const EnvBinary = "FMN_MAILPIT"

// Timeouts of the helpers: they bound waits on conditions, they are not expected durations.
const (
	waitTimeout  = 30 * time.Second
	pollInterval = 20 * time.Millisecond
)

// BinaryPath returns where the mailpit binary is expected: FMN_MAILPIT, or the cache.
func BinaryPath() string { return testproc.ToolPath(EnvBinary, "mailpit", MailpitVersion) }

// Server is a running mailpit.
type Server struct {
	// SMTPAddr is the host:port of its SMTP listener (any credentials are accepted).
	SMTPAddr string
	// APIURL is the base URL of its HTTP API.
	APIURL string
}

// Start starts a mailpit for this test and stops it at cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	testproc.Start(t, "mailpit", BinaryPath(), func() (*exec.Cmd, error) {
		smtpPort, err := testproc.FreePort()
		if err != nil {
			return nil, err
		}
		httpPort, err := testproc.FreePort()
		if err != nil {
			return nil, err
		}
		s.SMTPAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort))
		httpAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))
		s.APIURL = "http://" + httpAddr
		return exec.Command(BinaryPath(),
			"-s", s.SMTPAddr, "-l", httpAddr,
			"--database", filepath.Join(t.TempDir(), "mailpit.db"),
			"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--disable-version-check", "-q"), nil
	}, s.ping)
	return s
}

// ping reports whether both listeners answer.
func (s *Server) ping() error {
	if err := testproc.Dial(s.SMTPAddr); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return s.api().Ping(ctx)
}

// Address, Summary and Message are mailpit's API types.
type (
	Address = mailpitapi.Address
	Summary = mailpitapi.Summary
	Message = mailpitapi.Message
)

// api is the client of this server's HTTP API.
func (s *Server) api() mailpitapi.Client { return mailpitapi.Client{URL: s.APIURL} }

// Search returns the messages matching a mailpit search query (e.g. `to:"a@example.org"`).
func (s *Server) Search(ctx context.Context, query string) ([]Summary, error) {
	return s.api().Search(ctx, query)
}

// WaitFor waits until a search for query finds at least n messages and returns them.
func (s *Server) WaitFor(t testing.TB, query string, n int) []Summary {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		got, err := s.Search(ctx, query)
		cancel()
		if err == nil && len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit: wanted %d messages for %q within %s, have %d (error %v)", n, query, waitTimeout, len(got), err)
		}
		time.Sleep(pollInterval) // poll interval of a wait with a deadline
	}
}

// Message returns a message, parsed.
func (s *Server) Message(t testing.TB, id string) Message {
	t.Helper()
	m, err := s.api().Message(t.Context(), id)
	if err != nil {
		t.Fatalf("mailpit message %s: %v", id, err)
	}
	return m
}

// Headers returns a message's headers, by canonical name.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	h, err := s.api().Headers(t.Context(), id)
	if err != nil {
		t.Fatalf("mailpit headers %s: %v", id, err)
	}
	return h
}
