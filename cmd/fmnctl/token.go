package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"fmn/internal/config"
	"fmn/internal/ssetoken"
	"fmn/internal/web"
)

func streamTokenCmd(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stream-token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl stream-token [flags] USER

Prints the SSE stream URL of USER with a fresh signed token. Uses FMN_SSE_SECRET and
FMN_STREAM_URL.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: fmnctl stream-token [-ttl 1h] USER")
	}
	r := config.NewReader(os.LookupEnv)
	secret := r.Secret("FMN_SSE_SECRET", "")
	r.CheckSecrets(config.SecretSpec{Key: "FMN_SSE_SECRET", Value: secret, Required: true, Why: "to the web app's and the backends' value"})
	streamURL := r.String("FMN_STREAM_URL", web.DefaultStreamURL)
	if err := r.Err(); err != nil {
		return err
	}
	s, err := ssetoken.NewSigner([]byte(secret.Value()))
	if err != nil {
		return fmt.Errorf("FMN_SSE_SECRET: %w", err)
	}
	fmt.Fprintln(stdout, streamURL+"?token="+url.QueryEscape(s.Issue(fs.Arg(0), time.Now(), *ttl)))
	return nil
}
