// Command devoidc is an OpenID Provider for development and tests only: fmn's web app logs users
// in through it with the same OIDC code path it uses against a real identity provider.
//
// It wraps zitadel/oidc's example OP (packages example/server/exampleop and
// example/server/storage): an authorization-code flow with PKCE, an HTML username/password login
// page at /login/username, discovery at /.well-known/openid-configuration, and a userinfo
// endpoint. Users live in memory and are never persisted; it is not meant for production.
//
// It listens on a loopback address only and serves one confidential client (client_secret_basic)
// whose redirect URIs are given by flags:
//
//	devoidc -listen 127.0.0.1:9998 -client-id fmn -client-secret fmn-dev-secret \
//	    -redirect-uri http://127.0.0.1:8080/auth/callback [-users users.json]
//
// The default users (see defaultUsers) are:
//
//	username  password        email              name            groups
//	alice     alice-password  alice@example.org  Alice Liddell   packager, sysadmin
//	bob       bob-password    bob@example.org    Bob Builder     (none)
//
// The ID token carries only "sub"; preferred_username (the username), name, email,
// email_verified and groups come from the userinfo endpoint with the scopes openid, profile and
// email. A -users file replaces them: a JSON object from user ID to a user in the format of the
// example's storage.User, plus an optional "Groups" list, e.g.
//
//	{"id-carol": {"ID": "id-carol", "Username": "carol", "Password": "pw", "FirstName": "Carol",
//	  "LastName": "C", "Email": "carol@example.org", "EmailVerified": true, "Groups": ["qa"]}}
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"
)

// Defaults of the flags: the web app's default address is 127.0.0.1:8080 and its OIDC callback
// path is /auth/callback.
const (
	defaultListen       = "127.0.0.1:9998"
	defaultClientID     = "fmn"
	defaultClientSecret = "fmn-dev-secret"
	defaultRedirectURI  = "http://127.0.0.1:8080/auth/callback"
	shutdownTimeout     = 5 * time.Second
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

type options struct {
	listen       string
	issuer       string
	clientID     string
	clientSecret string
	redirectURIs []string
	usersFile    string
	verbose      bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("devoidc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var redirects stringList
	fs.StringVar(&o.listen, "listen", defaultListen, "loopback `host:port` to listen on (127.0.0.1, ::1 or localhost only)")
	fs.StringVar(&o.issuer, "issuer", "", "issuer `URL` (default http://<listen>); relying parties must use exactly this string")
	fs.StringVar(&o.clientID, "client-id", defaultClientID, "the client's `id`")
	fs.StringVar(&o.clientSecret, "client-secret", defaultClientSecret, "the client's `secret`")
	fs.Var(&redirects, "redirect-uri", "an allowed redirect `URI` of the client; repeat for more (default "+defaultRedirectURI+")")
	fs.StringVar(&o.usersFile, "users", "", "JSON `file` of users replacing the default ones (alice, bob)")
	fs.BoolVar(&o.verbose, "v", false, "log every request")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	o.redirectURIs = redirects
	if len(o.redirectURIs) == 0 {
		o.redirectURIs = []string{defaultRedirectURI}
	}
	if err := checkLoopback(o.listen); err != nil {
		return o, err
	}
	if o.issuer == "" {
		o.issuer = "http://" + o.listen
	}
	u, err := url.Parse(o.issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return o, fmt.Errorf("-issuer %q: not an http(s) URL without query or fragment", o.issuer)
	}
	if o.clientID == "" || o.clientSecret == "" {
		return o, errors.New("-client-id and -client-secret must not be empty")
	}
	for _, r := range o.redirectURIs {
		if u, err := url.Parse(r); err != nil || u.Scheme == "" || u.Host == "" {
			return o, fmt.Errorf("-redirect-uri %q: not an absolute URL", r)
		}
	}
	return o, nil
}

// checkLoopback refuses any listen address but a loopback one: this OP knows every password.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-listen %q: only a loopback address is allowed (127.0.0.1, ::1, localhost)", addr)
}

func run(args []string, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "devoidc:", err)
		return 2
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	users, err := loadUsers(o.usersFile)
	if err != nil {
		logger.Error("load users", "error", err)
		return 1
	}
	// The example keeps its clients in a package-level map: register ours before the storage
	// is built, as its doc asks. This process serves one OP, so the global is harmless here.
	storage.RegisterClients(storage.WebClient(o.clientID, o.clientSecret, o.redirectURIs...))
	store := groupsStorage{Storage: storage.NewStorage(users), users: users}
	// SetupServer calls log.Fatal only when the issuer is unusable (checked above) and makes
	// logger the process's default (this is our own process, so that is fine).
	router := exampleop.SetupServer(o.issuer, store, logger, false)

	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		logger.Error("listen", "error", err)
		return 1
	}
	srv := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	// Printed at every level: scripts and tests look for it.
	fmt.Fprintf(stderr, "devoidc: listening on %s, issuer %s, client %s\n", l.Addr(), o.issuer, o.clientID)

	select {
	case err := <-errc:
		logger.Error("serve", "error", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Error("shutdown", "error", err)
		return 1
	}
	return 0
}

// user is the example's user plus the groups devoidc puts in the "groups" claim.
type user struct {
	storage.User
	Groups []string
}

// userStore implements storage.UserStore over a map from user ID to user.
type userStore map[string]*user

func (s userStore) GetUserByID(id string) *storage.User {
	if u, ok := s[id]; ok {
		return &u.User
	}
	return nil
}

func (s userStore) GetUserByUsername(username string) *storage.User {
	for _, u := range s {
		if u.Username == username {
			return &u.User
		}
	}
	return nil
}

// ExampleClientID names the example's service user (used by its JWT-profile grant only).
func (s userStore) ExampleClientID() string { return storage.ServiceUserID }

// defaultUsers are the users served without -users; the package doc lists them.
func defaultUsers() userStore {
	return userStore{
		"id-alice": {User: storage.User{
			ID: "id-alice", Username: "alice", Password: "alice-password",
			FirstName: "Alice", LastName: "Liddell", Email: "alice@example.org", EmailVerified: true,
			PreferredLanguage: language.English,
		}, Groups: []string{"packager", "sysadmin"}},
		"id-bob": {User: storage.User{
			ID: "id-bob", Username: "bob", Password: "bob-password",
			FirstName: "Bob", LastName: "Builder", Email: "bob@example.org", EmailVerified: true,
			PreferredLanguage: language.English,
		}},
	}
}

// loadUsers returns the default users, or those of the JSON file at path.
func loadUsers(path string) (userStore, error) {
	if path == "" {
		return defaultUsers(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	users := userStore{}
	if err := json.Unmarshal(b, &users); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("%s: no users", path)
	}
	for id, u := range users {
		if u == nil || u.ID != id || u.Username == "" || u.Password == "" {
			return nil, fmt.Errorf("%s: user %q needs a matching ID, a Username and a Password", path, id)
		}
	}
	return users, nil
}

// groupsStorage is the example's storage that also answers a "groups" claim at the userinfo
// endpoint, as Fedora's identity provider does.
type groupsStorage struct {
	*storage.Storage
	users userStore
}

// SetUserinfoFromToken fills the userinfo answer, adding the user's groups.
func (s groupsStorage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	if u, ok := s.users[subject]; ok && info.Subject != "" && len(u.Groups) > 0 {
		info.AppendClaims("groups", u.Groups)
	}
	return nil
}
