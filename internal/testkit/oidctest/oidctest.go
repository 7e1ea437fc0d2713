// Package oidctest gives tests a real OpenID Provider: a devoidc process (tools/devoidc, the
// zitadel/oidc example OP) on a free loopback port, started per test and stopped by pid at
// cleanup, plus Login, which plays the browser on its HTML login form.
//
// The devoidc binary is built from the tools module (tools/go.mod) by scripts/tools.sh into
// $HOME/.cache/fmn-tools/devoidc-<version>/devoidc, where the version is zitadel/oidc's plus a
// hash of tools/devoidc's files, so a change to devoidc needs a rebuild; FMN_DEVOIDC names another
// binary. A missing binary skips the test locally and fails it in CI.
package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"fmn/internal/childproc"
	"fmn/internal/config"
	"fmn/internal/devtools"
	"fmn/internal/formlogin"
	"fmn/internal/oidclogin"
	"fmn/internal/testkit/testproc"
)

// ZitadelVersion is the zitadel/oidc version tools/go.mod pins (a test keeps them in step).
const ZitadelVersion = "v3.51.17"

// EnvBinary names the variable that overrides the devoidc binary's path.
const EnvBinary = "FMN_DEVOIDC"

// ClientID is the client devoidc registers for a test.
const ClientID = "fmn-test"

// User is one of devoidc's default users (see tools/devoidc).
type User struct {
	Subject  string // the "sub" claim
	Username string // preferred_username, and the login form's user name
	Password string
	Email    string
	// EmailUnverified makes the provider say email_verified false (StartWithUsers only).
	EmailUnverified bool
	Name            string
	Groups          []string
}

// Alice is the default test user: a valid fmn user name, an email, a name and two groups.
func Alice() User {
	return User{Subject: "id-alice", Username: "alice", Password: "alice-password",
		Email: "alice@example.org", Name: "Alice Liddell", Groups: []string{"packager", "sysadmin"}}
}

// Bob is the second default user, without groups.
func Bob() User {
	return User{Subject: "id-bob", Username: "bob", Password: "bob-password",
		Email: "bob@example.org", Name: "Bob Builder"}
}

// Version returns the devoidc version scripts/tools.sh builds for the current source:
// ZitadelVersion, a dash, and the first 12 hex digits of the SHA-256 of tools/devoidc's files
// (sorted by name, concatenated).
func Version() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("locate oidctest's source")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "tools", "devoidc")
	entries, err := os.ReadDir(dir) // sorted by name, like `LC_ALL=C ls | sort`
	if err != nil {
		return "", fmt.Errorf("read devoidc source: %w", err)
	}
	h := sha256.New()
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return "", fmt.Errorf("read devoidc source: %w", err)
		}
		h.Write(b)
	}
	return ZitadelVersion + "-" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// BinaryPath returns where the devoidc binary is expected: FMN_DEVOIDC, or the cache.
func BinaryPath() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		return p, nil
	}
	v, err := Version()
	if err != nil {
		return "", err
	}
	return devtools.Path(EnvBinary, "devoidc", v), nil
}

// Server is a running devoidc.
type Server struct {
	// Issuer is its issuer URL (http://127.0.0.1:PORT), as relying parties must configure it.
	Issuer string
	// ClientID and ClientSecret are the one registered client's credentials.
	ClientID     string
	ClientSecret string
	// RedirectURIs are the client's allowed redirect URIs.
	RedirectURIs []string

	proc *testproc.Proc
}

// Start starts a devoidc for this test, with one client allowed to redirect to redirectURIs (at
// least one, e.g. "http://127.0.0.1:PORT"+oidclogin.CallbackPath), and stops it at cleanup.
func Start(t testing.TB, redirectURIs ...string) *Server {
	t.Helper()
	return start(t, "", redirectURIs)
}

// StartWithUsers is Start with users in place of the default ones.
func StartWithUsers(t testing.TB, users []User, redirectURIs ...string) *Server {
	t.Helper()
	file := map[string]any{}
	for _, u := range users {
		first, last, _ := strings.Cut(u.Name, " ")
		file[u.Subject] = map[string]any{"ID": u.Subject, "Username": u.Username, "Password": u.Password,
			"FirstName": first, "LastName": last, "Email": u.Email, "EmailVerified": !u.EmailUnverified,
			"PreferredLanguage": "en", "Groups": u.Groups}
	}
	b, err := json.Marshal(file)
	if err != nil {
		t.Fatalf("devoidc users: %v", err)
	}
	path := filepath.Join(t.TempDir(), "users.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatalf("devoidc users: %v", err)
	}
	return start(t, path, redirectURIs)
}

// start starts a devoidc with the users of usersFile (the default ones when empty).
func start(t testing.TB, usersFile string, redirectURIs []string) *Server {
	t.Helper()
	if len(redirectURIs) == 0 {
		t.Fatal("oidctest.Start: give at least one redirect URI")
	}
	bin, err := BinaryPath()
	if err != nil {
		t.Fatalf("devoidc binary: %v", err)
	}
	s := &Server{ClientID: ClientID, ClientSecret: rand.Text(), RedirectURIs: redirectURIs}
	s.proc = testproc.Start(t, "devoidc", bin, func() (childproc.Spec, error) {
		addr, err := childproc.FreeAddr()
		if err != nil {
			return childproc.Spec{}, err
		}
		s.Issuer = "http://" + addr
		args := []string{"-listen", addr, "-issuer", s.Issuer, "-client-id", s.ClientID, "-client-secret", s.ClientSecret}
		for _, r := range redirectURIs {
			args = append(args, "-redirect-uri", r)
		}
		if usersFile != "" {
			args = append(args, "-users", usersFile)
		}
		return childproc.Spec{Name: "devoidc", Bin: bin, Args: args, Ready: s.ping}, nil
	})
	return s
}

// ping reports whether the discovery document is served.
func (s *Server) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("discovery: %s", resp.Status)
	}
	return nil
}

// Stop ends the server by its pid. It is safe to call more than once.
func (s *Server) Stop() { s.proc.Stop() }

// Output returns what devoidc printed so far (for failure messages).
func (s *Server) Output() string { return s.proc.Output() }

// LoginConfig returns the relying-party configuration for this server, redirecting to its
// first redirect URI.
func (s *Server) LoginConfig() oidclogin.Config {
	return oidclogin.Config{
		Issuer:       s.Issuer,
		ClientID:     s.ClientID,
		ClientSecret: config.Secret(s.ClientSecret),
		RedirectURL:  s.RedirectURIs[0],
	}
}

// Login plays the browser from authURL (what oidclogin's Begin returned) through devoidc's login
// form with username and password, and returns the URL devoidc finally redirects to outside
// itself (the relying party's callback, with code and state, or error), without requesting it.
// hc must have a cookie jar; its CheckRedirect is not used.
func (s *Server) Login(ctx context.Context, hc *http.Client, authURL, username, password string) (*url.URL, error) {
	return formlogin.Login(ctx, hc, s.Issuer, authURL, username, password)
}
