// Package democheck watches a local fmn (the one `make run` starts) the way a newcomer would look
// at it: it holds the demo user's IRC nick and SSE stream, then waits for the demo user's first
// notification on each channel (the stream, mailpit's inbox, the IRC nick) and, when asked, logs
// in once through the OpenID Provider's form. It reports each as it happens, and fails naming
// every channel that stayed silent. fmnctl demo-check runs it; make fresh-check relies on it.
package democheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"fmn/internal/formlogin"
	"fmn/internal/ircreceiver"
	"fmn/internal/mailpitapi"
	"fmn/internal/notify/sse"
)

// Config says where the demo user's notifications arrive and how to log in.
type Config struct {
	// StreamURL is the demo user's SSE stream, with its token. Empty: the stream is not checked.
	StreamURL string
	// MailpitURL is mailpit's HTTP API; Email the demo user's address. Empty: email is not
	// checked.
	MailpitURL, Email string
	// IRCServer is the IRC server's host:port (plain text); IRCNick the demo user's nick,
	// which Run holds while it runs; BotNick fmn's bot. An empty IRCServer: IRC is not checked.
	IRCServer, IRCNick, BotNick string
	// WebURL is fmn's web app. With OIDCIssuer and OIDCUser set, Run logs in once through the
	// provider's login form with OIDCUser and OIDCPassword.
	WebURL, OIDCIssuer, OIDCUser, OIDCPassword string
	// Timeout bounds the wait for every channel once connected; it is not an expected duration.
	Timeout time.Duration
	// ReadyFile, when set, is created once the stream and the IRC nick are connected: only
	// notifications sent after that are sure to be seen.
	ReadyFile string
	// Hold keeps the IRC nick connected after every channel delivered, until ctx ends, writing
	// each further line from the bot to IRCLog (nil: discarded), so that the demo user's IRC
	// notifications keep finding their nick.
	Hold   bool
	IRCLog io.Writer
}

// pollInterval is how often mailpit is asked (a poll of a wait with a deadline).
const pollInterval = 500 * time.Millisecond

// connectTimeout bounds the IRC registration (before Timeout starts counting).
const connectTimeout = 30 * time.Second

// requestTimeout bounds one HTTP request of the login and of a mailpit poll.
const requestTimeout = 10 * time.Second

// Run connects, waits for every channel and the login, and reports to out.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	if cfg.Timeout <= 0 {
		return errors.New("democheck: Timeout must be positive")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var irc *ircWatch
	if cfg.IRCServer != "" {
		var err error
		if irc, err = watchIRC(ctx, cfg, connectTimeout); err != nil {
			return err
		}
		defer irc.close()
	}
	var events <-chan sse.ClientEvent
	if cfg.StreamURL != "" {
		var err error
		if events, err = sse.Subscribe(ctx, cfg.StreamURL, ""); err != nil {
			return fmt.Errorf("the demo user's stream: %w", err)
		}
	}
	start := time.Now()
	rep := &reporter{out: out, start: start}
	if cfg.ReadyFile != "" {
		if err := os.WriteFile(cfg.ReadyFile, []byte(start.Format(time.RFC3339)+"\n"), 0o644); err != nil {
			return fmt.Errorf("ready file: %w", err)
		}
	}

	wait, stop := context.WithTimeout(ctx, cfg.Timeout)
	defer stop()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var missing []string
	check := func(name string, fn func(context.Context) (string, error)) {
		wg.Go(func() {
			what, err := fn(wait)
			if err != nil {
				mu.Lock()
				missing = append(missing, fmt.Sprintf("%s: %v", name, err))
				mu.Unlock()
				return
			}
			rep.line(name, what)
		})
	}
	if events != nil {
		check("sse", func(ctx context.Context) (string, error) { return firstEvent(ctx, events) })
	}
	if cfg.MailpitURL != "" {
		check("email", func(ctx context.Context) (string, error) { return firstEmail(ctx, cfg, start) })
	}
	if irc != nil {
		check("irc", irc.first)
	}
	if cfg.OIDCIssuer != "" && cfg.OIDCUser != "" {
		check("login", func(ctx context.Context) (string, error) { return login(ctx, cfg) })
	}
	wg.Wait()
	if len(missing) > 0 {
		return fmt.Errorf("within %s: %s", cfg.Timeout, strings.Join(missing, "; "))
	}
	rep.line("ready", fmt.Sprintf("every channel delivered within %s", time.Since(start).Round(100*time.Millisecond)))
	if cfg.Hold && irc != nil {
		irc.hold(ctx, cfg.IRCLog)
	}
	return nil
}

// reporter writes one line per event, with the time since the start.
type reporter struct {
	mu    sync.Mutex
	out   io.Writer
	start time.Time
}

func (r *reporter) line(name, what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, "  %-6s %5.1fs  %s\n", name, time.Since(r.start).Seconds(), what)
}

// firstEvent waits for the first notification on the stream.
func firstEvent(ctx context.Context, events <-chan sse.ClientEvent) (string, error) {
	for {
		select {
		case <-ctx.Done():
			return "", errors.New("no notification on the demo user's stream")
		case ev, ok := <-events:
			if !ok {
				return "", errors.New("the demo user's stream closed before a notification came")
			}
			if ev.Data == "" {
				continue
			}
			var p sse.Payload
			if err := json.Unmarshal([]byte(ev.Data), &p); err != nil {
				return "", fmt.Errorf("the stream sent an event that is not a notification: %w", err)
			}
			return strings.TrimSpace(p.Summary + " " + p.URL), nil
		}
	}
}

// firstEmail waits until mailpit holds an email to cfg.Email received after start.
func firstEmail(ctx context.Context, cfg Config, start time.Time) (string, error) {
	api := mailpitapi.Client{URL: cfg.MailpitURL}
	query := fmt.Sprintf("to:%q", cfg.Email)
	var lastErr error
	for {
		rctx, cancel := context.WithTimeout(ctx, requestTimeout)
		got, err := api.Search(rctx, query)
		cancel()
		lastErr = err
		for _, m := range got {
			// mailpit stores whole seconds of its own clock: allow for the rounding.
			if !m.Created.Before(start.Add(-time.Second)) {
				return fmt.Sprintf("%q in mailpit (%s)", m.Subject, cfg.MailpitURL), nil
			}
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return "", fmt.Errorf("no email to %s in mailpit (last error: %w)", cfg.Email, lastErr)
			}
			return "", fmt.Errorf("no email to %s in mailpit", cfg.Email)
		case <-time.After(pollInterval):
		}
	}
}

// login logs in to the web app through the provider's form and checks that a page then shows
// the user's name.
func login(ctx context.Context, cfg Config) (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	web, err := url.Parse(cfg.WebURL)
	if err != nil {
		return "", fmt.Errorf("web URL: %w", err)
	}
	// Redirects are followed by hand: each hop says where the login went wrong.
	hc := &http.Client{Jar: jar, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := get(ctx, hc, web.JoinPath("/login/oidc").String())
	if err != nil {
		return "", err
	}
	if resp.StatusCode/100 != 3 {
		return "", fmt.Errorf("GET /login/oidc answered %s, not a redirect to the provider (is the web app's OIDC login on?)", resp.Status)
	}
	cb, err := formlogin.Login(ctx, hc, cfg.OIDCIssuer, resp.Header.Get("Location"), cfg.OIDCUser, cfg.OIDCPassword)
	if err != nil {
		return "", fmt.Errorf("at the provider: %w", err)
	}
	resp, err = get(ctx, hc, cb.String())
	if err != nil {
		return "", err
	}
	next, err := resp.URL.Parse(resp.Header.Get("Location"))
	if resp.StatusCode/100 != 3 || resp.Header.Get("Location") == "" || err != nil {
		return "", fmt.Errorf("the web app's callback answered %s, not a redirect into the app", resp.Status)
	}
	// Inside the app, follow its redirects (/ → /filters): a page that shows the name is the proof.
	inside := *hc
	inside.CheckRedirect = nil
	page, err := get(ctx, &inside, next.String())
	if err != nil {
		return "", err
	}
	if page.StatusCode != http.StatusOK || page.URL.Path == "/login" || !strings.Contains(page.Body, cfg.OIDCUser) {
		return "", fmt.Errorf("after login %s answered %s without the user's name", page.URL.Path, page.Status)
	}
	return fmt.Sprintf("%s logged in through the OpenID Provider (%s)", cfg.OIDCUser, cfg.OIDCIssuer), nil
}

// answer is what get read of a response: its status, headers, final URL and up to 1 MiB of its
// body (the body itself is closed).
type answer struct {
	StatusCode int
	Status     string
	Header     http.Header
	// URL is the request's URL after the redirects the client followed.
	URL  *url.URL
	Body string
}

// get requests u and returns the answer.
func get(ctx context.Context, hc *http.Client, u string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return answer{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("GET %s: %w", req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return answer{}, fmt.Errorf("GET %s: %w", req.URL.Path, err)
	}
	return answer{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, URL: resp.Request.URL, Body: string(body)}, nil
}

// ircWatch is the demo user's IRC client: it holds the nick and passes the bot's lines on.
type ircWatch struct {
	nick, bot string
	lines     chan string
	stop      context.CancelFunc
	done      chan struct{} // closed when the receiver has ended
}

// reconnectDelay is the pause before the IRC client reconnects after losing the server.
const reconnectDelay = 2 * time.Second

// watchIRC connects as cfg.IRCNick and waits until the server registered that nick.
func watchIRC(ctx context.Context, cfg Config, timeout time.Duration) (*ircWatch, error) {
	ctx, stop := context.WithCancel(ctx)
	w := &ircWatch{nick: cfg.IRCNick, bot: cfg.BotNick, lines: make(chan string, 1024), stop: stop, done: make(chan struct{})}
	registered := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		defer close(w.done)
		errc <- ircreceiver.Hold(ctx, ircreceiver.Config{Addr: cfg.IRCServer, Nick: cfg.IRCNick, Name: "fmn demo user",
			From: cfg.BotNick, RetryDelay: reconnectDelay,
			OnRegistered: func(nick string) {
				select {
				case registered <- nick:
				default:
				}
			},
			OnLine: func(text string) {
				select {
				case w.lines <- text:
				default: // nobody reads them (not holding): drop
				}
			}})
	}()
	select {
	case nick := <-registered:
		if !strings.EqualFold(nick, cfg.IRCNick) {
			w.close()
			return nil, fmt.Errorf("irc: the nick %s is taken on %s (registered as %s): disconnect the client holding it", cfg.IRCNick, cfg.IRCServer, nick)
		}
		return w, nil
	case err := <-errc:
		w.close()
		return nil, fmt.Errorf("irc: %w", err)
	case <-ctx.Done():
		w.close()
		return nil, ctx.Err()
	case <-time.After(timeout):
		w.close()
		return nil, fmt.Errorf("irc: not registered on %s as %s within %s", cfg.IRCServer, cfg.IRCNick, timeout)
	}
}

// first waits for the bot's first line.
func (w *ircWatch) first(ctx context.Context) (string, error) {
	select {
	case l := <-w.lines:
		return fmt.Sprintf("%s → %s: %s", w.bot, w.nick, l), nil
	case <-ctx.Done():
		return "", fmt.Errorf("no line from %s to %s", w.bot, w.nick)
	}
}

// hold writes the bot's lines to log until ctx ends.
func (w *ircWatch) hold(ctx context.Context, log io.Writer) {
	if log == nil {
		log = io.Discard
	}
	for {
		select {
		case l := <-w.lines:
			fmt.Fprintf(log, "%s %s\n", time.Now().Format(time.TimeOnly), l)
		case <-ctx.Done():
			return
		}
	}
}

// close disconnects for good and waits for the receiver to end.
func (w *ircWatch) close() {
	w.stop()
	<-w.done
}
