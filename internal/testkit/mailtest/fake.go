package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Fake is an in-process SMTP server (go-smtp) whose answers a test scripts: deterministic 4xx
// and 5xx replies without a mailpit.
type Fake struct {
	// Addr is its host:port on loopback.
	Addr string

	mu       sync.Mutex
	rcpt     RcptFunc
	received []Received
	rcpts    int
	sessions int
	changed  chan struct{} // closed and replaced on every change
}

// RcptFunc answers the n-th RCPT TO (0-based, counted across sessions); nil accepts it. Return
// a *smtp.SMTPError (see Reply) for a specific code.
type RcptFunc func(to string, n int) error

// Received is one accepted message.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Reply returns the error a RcptFunc returns for an SMTP reply code.
func Reply(code int, msg string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
}

// NewFake starts a fake server, closed at cleanup; rcpt may be nil.
func NewFake(t testing.TB, rcpt RcptFunc) *Fake {
	t.Helper()
	return newFake(t, rcpt, nil)
}

// NewFakeTLS is NewFake offering STARTTLS with a self-signed certificate for 127.0.0.1. It also
// returns the client TLS config that trusts it.
func NewFakeTLS(t testing.TB, rcpt RcptFunc) (*Fake, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("fake smtp key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fmn test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("fake smtp certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("fake smtp certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	return newFake(t, rcpt, server), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

func newFake(t testing.TB, rcpt RcptFunc, tlsConfig *tls.Config) *Fake {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fake smtp listen: %v", err)
	}
	f := &Fake{Addr: l.Addr().String(), rcpt: rcpt, changed: make(chan struct{})}
	s := smtp.NewServer(f)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.TLSConfig = tlsConfig
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close(); <-done })
	return f
}

// SetRcpt replaces the RCPT script.
func (f *Fake) SetRcpt(rcpt RcptFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rcpt = rcpt
}

// Received returns the accepted messages so far.
func (f *Fake) Received() []Received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Received(nil), f.received...)
}

// Counts returns how many RCPT commands and sessions the server has seen.
func (f *Fake) Counts() (rcpts, sessions int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rcpts, f.sessions
}

// Changed returns a channel closed at the next change (a RCPT or an accepted message).
func (f *Fake) Changed() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// NewSession implements smtp.Backend.
func (f *Fake) NewSession(*smtp.Conn) (smtp.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions++
	return &fakeSession{f: f}, nil
}

type fakeSession struct {
	f    *Fake
	from string
	to   []string
}

func (s *fakeSession) Reset()        { s.from, s.to = "", nil }
func (s *fakeSession) Logout() error { return nil }

func (s *fakeSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *fakeSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.f.mu.Lock()
	n := s.f.rcpts
	s.f.rcpts++
	rcpt := s.f.rcpt
	s.f.notify()
	s.f.mu.Unlock()
	if rcpt != nil {
		if err := rcpt(to, n); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *fakeSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(s.to) == 0 {
		return errors.New("no recipients")
	}
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.received = append(s.f.received, Received{From: s.from, To: s.to, Data: b})
	s.f.notify()
	return nil
}
