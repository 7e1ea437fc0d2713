// Package mailtest gives tests a real SMTP server: a mailpit process on free loopback ports,
// started per test, read through its HTTP API, and stopped by pid at cleanup.
//
// The mailpit binary is built from the tools module (tools/go.mod) by scripts/tools.sh into
// $HOME/.cache/fmn-tools/mailpit-<version>/mailpit, so a second build costs nothing; FMN_MAILPIT
// names another binary. A missing binary skips the test locally and fails it in CI.
package mailtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"fmn/internal/testproc"
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
	return s.getJSON(ctx, "/api/v1/messages?limit=1", nil)
}

// Address is a mailbox in mailpit's API.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is one message in a search result.
type Summary struct {
	ID      string    `json:"ID"`
	From    Address   `json:"From"`
	To      []Address `json:"To"`
	Subject string    `json:"Subject"`
}

// Message is one parsed message.
type Message struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
}

// Search returns the messages matching a mailpit search query (e.g. `to:"a@example.org"`).
func (s *Server) Search(ctx context.Context, query string) ([]Summary, error) {
	var res struct {
		Messages []Summary `json:"messages"`
	}
	if err := s.getJSON(ctx, "/api/v1/search?query="+url.QueryEscape(query), &res); err != nil {
		return nil, err
	}
	return res.Messages, nil
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
	var m Message
	if err := s.getJSON(t.Context(), "/api/v1/message/"+url.PathEscape(id), &m); err != nil {
		t.Fatalf("mailpit message %s: %v", id, err)
	}
	return m
}

// Headers returns a message's headers, by canonical name.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	var h map[string][]string
	if err := s.getJSON(t.Context(), "/api/v1/message/"+url.PathEscape(id)+"/headers", &h); err != nil {
		t.Fatalf("mailpit headers %s: %v", id, err)
	}
	return h
}

func (s *Server) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.APIURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
