package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"fmn/internal/democheck"
)

func demoCheckCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl demo-check -stream URL [flags]

Waits for the demo user's first notification on every channel of a local fmn (make run): its SSE
stream, mailpit's inbox and its IRC nick (held while this runs), and logs in once through the
OpenID Provider's form. Prints each as it arrives; exits 1 naming every channel that stayed silent.

`)
		fs.PrintDefaults()
	}
	var cfg democheck.Config
	fs.StringVar(&cfg.StreamURL, "stream", "", "the demo user's SSE stream URL, with its token (fmnctl stream-token)")
	fs.StringVar(&cfg.MailpitURL, "mailpit", "", "mailpit's API, e.g. http://127.0.0.1:8025 (empty: email is not checked)")
	fs.StringVar(&cfg.Email, "email", "demo@example.org", "the demo user's email address")
	fs.StringVar(&cfg.IRCServer, "irc", "", "IRC server host:port, plain text (empty: IRC is not checked)")
	fs.StringVar(&cfg.IRCNick, "nick", "demo", "the demo user's IRC nick")
	fs.StringVar(&cfg.BotNick, "bot", "fmn", "fmn's IRC bot")
	fs.StringVar(&cfg.WebURL, "web", "http://127.0.0.1:8080", "fmn's web app")
	fs.StringVar(&cfg.OIDCIssuer, "oidc-issuer", "", "the OpenID Provider (empty: the login is not checked)")
	fs.StringVar(&cfg.OIDCUser, "oidc-user", "alice", "user name at the provider")
	fs.StringVar(&cfg.OIDCPassword, "oidc-password", "alice-password", "password at the provider (devoidc's published development password)")
	fs.DurationVar(&cfg.Timeout, "timeout", 3*time.Minute, "how long to wait for every channel")
	fs.StringVar(&cfg.ReadyFile, "ready", "", "file created once the stream and the IRC nick are connected")
	fs.BoolVar(&cfg.Hold, "hold", false, "after every channel delivered, keep the IRC nick until interrupted")
	ircLog := fs.String("irc-log", "", "with -hold: file the bot's further lines are appended to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.StreamURL == "" {
		fs.Usage()
		return errors.New("-stream is required")
	}
	if *ircLog != "" {
		f, err := os.OpenFile(*ircLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("irc log: %w", err)
		}
		defer f.Close()
		cfg.IRCLog = f
	}
	return democheck.Run(ctx, cfg, stdout)
}
