// Package mailtest gives tests SMTP servers: a real mailpit (internal/devtools) on free loopback
// ports, started per test, read through its HTTP API, and stopped by pid at cleanup; and Fake, a
// scripted in-process go-smtp server for the 4xx and 5xx paths.
//
// The mailpit binary is built from the tools module (tools/go.mod) by scripts/tools.sh into
// $HOME/.cache/fmn-tools/mailpit-<version>/mailpit, so a second build costs nothing; FMN_MAILPIT
// names another binary. A missing binary skips the test locally and fails it in CI.
package mailtest

import (
	"context"
	"testing"
	"time"

	"fmn/internal/childproc"
	"fmn/internal/devtools"
	"fmn/internal/mailpitapi"
	"fmn/internal/testkit/testproc"
)

// Timeouts of the helpers: they bound waits on conditions, they are not expected durations.
const (
	waitTimeout  = 30 * time.Second
	pollInterval = 20 * time.Millisecond
)

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
	testproc.Start(t, "mailpit", devtools.MailpitPath(), func() (childproc.Spec, error) {
		m, err := devtools.NewMailpit(t.TempDir())
		if err != nil {
			return childproc.Spec{}, err
		}
		s.SMTPAddr, s.APIURL = m.SMTPAddr, m.APIURL()
		return m.Spec(nil), nil
	})
	return s
}

// Address is a mailbox in mailpit's API.
type Address = mailpitapi.Address

// Summary is one message in a list or search result of mailpit's API.
type Summary = mailpitapi.Summary

// Message is one parsed message of mailpit's API.
type Message = mailpitapi.Message

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
