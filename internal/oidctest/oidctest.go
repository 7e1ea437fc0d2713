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
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"fmn/internal/config"
	"fmn/internal/oidclogin"
	"fmn/internal/testproc"
)

// ZitadelVersion is the zitadel/oidc version tools/go.mod pins (a test keeps them in step).
const ZitadelVersion = "v3.51.17"

// EnvBinary names the variable that overrides the devoidc binary's path.
const EnvBinary = "FMN_DEVOIDC"

// ClientID is the client devoidc registers for a test.
const ClientID = "fmn-test"

// requestTimeout bounds each HTTP request of Login; it is not an expected duration.
const requestTimeout = 10 * time.Second

// User is one of devoidc's default users (see tools/devoidc).
type User struct {
	Subject  string // the "sub" claim
	Username string // preferred_username, and the login form's user name
	Password string
	Email    string
	Name     string
	Groups   []string
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
	dir := filepath.Join(filepath.Dir(file), "..", "..", "tools", "devoidc")
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
	return testproc.ToolPath(EnvBinary, "devoidc", v), nil
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
	if len(redirectURIs) == 0 {
		t.Fatal("oidctest.Start: give at least one redirect URI")
	}
	bin, err := BinaryPath()
	if err != nil {
		t.Fatalf("devoidc binary: %v", err)
	}
	s := &Server{ClientID: ClientID, ClientSecret: rand.Text(), RedirectURIs: redirectURIs}
	s.proc = testproc.Start(t, "devoidc", bin, func() (*exec.Cmd, error) {
		port, err := testproc.FreePort()
		if err != nil {
			return nil, err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		s.Issuer = "http://" + addr
		args := []string{"-listen", addr, "-issuer", s.Issuer, "-client-id", s.ClientID, "-client-secret", s.ClientSecret}
		for _, r := range redirectURIs {
			args = append(args, "-redirect-uri", r)
		}
		return exec.Command(bin, args...), nil
	}, s.ping)
	return s
}

// ping reports whether the discovery document is served.
func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
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
// hc must have a cookie jar; its CheckRedirect is not used. The form's action and field names
// are read from the page.
func (s *Server) Login(ctx context.Context, hc *http.Client, authURL, username, password string) (*url.URL, error) {
	issuer, err := url.Parse(s.Issuer)
	if err != nil {
		return nil, err
	}
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != issuer.Host {
			return http.ErrUseLastResponse // leaving the OP: hand that URL to the caller
		}
		if len(via) >= 10 {
			return errors.New("more than 10 redirects inside the OP")
		}
		return nil
	}
	page, out, err := get(ctx, &c, http.MethodGet, authURL, nil)
	if err != nil || out != nil {
		return out, err
	}
	f, err := parseForm(page.body, page.url)
	if err != nil {
		return nil, err
	}
	f.values.Set(f.username, username)
	f.values.Set(f.password, password)
	page, out, err = get(ctx, &c, f.method, f.action, f.values)
	if err != nil || out != nil {
		return out, err
	}
	return nil, fmt.Errorf("the OP answered the login form with a page, not a redirect (wrong credentials?): %.300s", page.body)
}

type page struct {
	url  *url.URL
	body string
}

// get requests u (a form post when form is not nil) and returns either the page the OP answered
// with, or the URL it redirected to outside itself.
func get(ctx context.Context, c *http.Client, method, u string, form url.Values) (*page, *url.URL, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, err := resp.Location()
		if err != nil {
			return nil, nil, fmt.Errorf("redirect from %s: %w", resp.Request.URL, err)
		}
		return nil, loc, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("%s %s: %s: %.300s", method, resp.Request.URL, resp.Status, b)
	}
	return &page{url: resp.Request.URL, body: string(b)}, nil, nil
}

// form is a parsed login form.
type form struct {
	method, action     string
	values             url.Values // every named input's initial value (hidden fields included)
	username, password string     // the names of the user-name and password inputs
}

// parseForm reads the first form of an HTML page: its method and action (resolved against
// base), its inputs, the password input, and the user-name input (the first visible text-like
// input before it).
func parseForm(body string, base *url.URL) (*form, error) {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse login page: %w", err)
	}
	var f *form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "form" && f == nil:
				action, err := base.Parse(attr(n, "action"))
				if err != nil {
					return
				}
				method := strings.ToUpper(attr(n, "method"))
				if method == "" {
					method = http.MethodGet
				}
				f = &form{method: method, action: action.String(), values: url.Values{}}
			case n.Data == "input" && f != nil && attr(n, "name") != "":
				name := attr(n, "name")
				f.values.Set(name, attr(n, "value"))
				switch strings.ToLower(attr(n, "type")) {
				case "password":
					if f.password == "" {
						f.password = name
					}
				case "", "text", "email":
					if f.username == "" && f.password == "" {
						f.username = name
					}
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	if f == nil || f.username == "" || f.password == "" {
		return nil, fmt.Errorf("no login form with a user-name and a password input in: %.300s", body)
	}
	return f, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
