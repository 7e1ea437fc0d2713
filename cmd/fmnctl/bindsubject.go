package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"fmn/pkg/prefs/pgstore"
)

// bindSubjectCmd binds an account to the OpenID subject the operator confirmed is its owner's.
func bindSubjectCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bind-subject", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("user", "", "the fmn user name (required)")
	sub := fs.String("subject", "", `the OpenID subject ("sub" claim) of its owner at the provider; "" unbinds the account (required)`)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl bind-subject -user NAME -subject SUB

Binds an fmn account to the OpenID subject of its owner, replacing any earlier binding. Accounts
created before their first login (by an administrator, or in bulk) can be logged into only once
bound, unless FMN_OIDC_USERNAME_UNIQUE says the provider guarantees user names. The subject is
the "sub" claim the provider gives that person (its admin console, or the web app's log line of a
refused login, show it). Uses FMN_DATABASE_URL.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	subjectSet := false
	fs.Visit(func(f *flag.Flag) { subjectSet = subjectSet || f.Name == "subject" })
	if *name == "" || !subjectSet {
		fs.Usage()
		return errors.New("bind-subject: -user and -subject are required")
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := pgstore.New(pool).SetSubject(ctx, *name, *sub); err != nil {
		return fmt.Errorf("bind-subject %s: %w", *name, err)
	}
	if *sub == "" {
		fmt.Fprintf(stdout, "%s is bound to no subject\n", *name)
	} else {
		fmt.Fprintf(stdout, "%s logs in as subject %q\n", *name, *sub)
	}
	return nil
}
