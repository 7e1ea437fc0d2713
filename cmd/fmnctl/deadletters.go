package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"fmn/internal/config"
	"fmn/internal/deadletter"
	"fmn/internal/service"
)

const deadLettersUsage = "usage: fmnctl dead-letters list [-stage S] [-since RFC3339] [-cursor ID] [-n N] | show ID | redrive ID"

// deadLettersHelp is what dead-letters -h prints.
const deadLettersHelp = deadLettersUsage + `

Lists, shows and re-drives the dead letters archived in PostgreSQL, through the same store as
the web API. Uses FMN_DATABASE_URL; redrive also FMN_AMQP_URL and the topology settings.
Run "fmnctl dead-letters <subcommand> -h" for a subcommand's flags.
`

// deadLetterAction is a dead-letters subcommand whose arguments are parsed, ready to run.
type deadLetterAction func(ctx context.Context, store *deadletter.Store) error

// deadLetterCommands returns the dead-letters subcommands by name. Each parses its arguments (and
// answers -h) before anything connects to the database.
func deadLetterCommands() map[string]func(args []string, stdout, stderr io.Writer) (deadLetterAction, error) {
	return map[string]func([]string, io.Writer, io.Writer) (deadLetterAction, error){
		"list":    parseListDeadLetters,
		"show":    parseShowDeadLetter,
		"redrive": parseRedriveDeadLetter,
	}
}

// deadLettersCmd lists, shows and re-drives archived dead letters through the same store as the
// web API (FMN_DATABASE_URL; redrive also FMN_AMQP_URL and the topology settings).
func deadLettersCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", deadLettersUsage)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stderr, deadLettersHelp)
		return flag.ErrHelp
	}
	parse, ok := deadLetterCommands()[args[0]]
	if !ok {
		return fmt.Errorf("unknown subcommand %q; %s", args[0], deadLettersUsage)
	}
	action, err := parse(args[1:], stdout, stderr)
	if err != nil {
		return err
	}
	r := config.NewReader(os.LookupEnv)
	pg := config.ReadPostgres(r)
	if err := r.Err(); err != nil {
		return err
	}
	pool, err := service.OpenDB(ctx, pg)
	if err != nil {
		return err
	}
	defer pool.Close()
	return action(ctx, deadletter.NewStore(pool))
}

func parseListDeadLetters(args []string, stdout, stderr io.Writer) (deadLetterAction, error) {
	fs := flag.NewFlagSet("dead-letters list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stage := fs.String("stage", "", "only this stage (consumer, worker, backend-sse, backend-email, broker, …)")
	since := fs.String("since", "", "only letters that died at or after this RFC 3339 time")
	cursor := fs.Int64("cursor", 0, "the next cursor printed by the previous page")
	n := fs.Int("n", 50, fmt.Sprintf("page size, 1..%d", deadletter.MaxPerPage))
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl dead-letters list [flags]

Prints a page of archived dead letters, newest archived first, and the cursor of the next page.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	q := deadletter.Query{Stage: *stage, Before: *cursor, PerPage: *n}
	if *n < 1 || *n > deadletter.MaxPerPage {
		return nil, fmt.Errorf("-n must be from 1 to %d", deadletter.MaxPerPage)
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return nil, fmt.Errorf("-since: %w", err)
		}
		q.Since = t
	}
	return func(ctx context.Context, store *deadletter.Store) error {
		return listDeadLetters(ctx, store, q, stdout)
	}, nil
}

func parseShowDeadLetter(args []string, stdout, stderr io.Writer) (deadLetterAction, error) {
	id, err := parseDeadLetterID("show", `Prints dead letter ID as JSON: its metadata, headers and body (base64 when the body is not UTF-8).
Uses FMN_DATABASE_URL.`,
		args, stderr)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, store *deadletter.Store) error {
		return showDeadLetter(ctx, store, id, stdout)
	}, nil
}

func parseRedriveDeadLetter(args []string, stdout, stderr io.Writer) (deadLetterAction, error) {
	id, err := parseDeadLetterID("redrive", `Publishes dead letter ID again, with publisher confirms, to the exchange and routing key
it was first published with (fmn's own only; a truncated body is refused), and counts the re-drive.
Uses FMN_DATABASE_URL, FMN_AMQP_URL and the topology settings.`, args, stderr)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, store *deadletter.Store) error {
		return redriveDeadLetter(ctx, store, id, stdout, stderr)
	}, nil
}

// parseDeadLetterID parses the arguments of a dead-letters subcommand that takes one ID and no
// flags; about is its help text.
func parseDeadLetterID(name, about string, args []string, stderr io.Writer) (int64, error) {
	fs := flag.NewFlagSet("dead-letters "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: fmnctl dead-letters %s ID\n\n%s\nIt has no flags besides -h.\n", name, about)
	}
	if err := fs.Parse(args); err != nil {
		return 0, err
	}
	if fs.NArg() != 1 {
		return 0, fmt.Errorf("%s", deadLettersUsage)
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("ID must be a positive integer, not %q", fs.Arg(0))
	}
	return id, nil
}

func listDeadLetters(ctx context.Context, store *deadletter.Store, q deadletter.Query, stdout io.Writer) error {
	ls, next, err := store.List(ctx, q)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDEAD AT\tSTAGE\tMESSAGE ID\tROUTING KEY\tSIZE\tREDRIVEN\tREASON")
	for _, l := range ls {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", l.ID, l.DeadAt.UTC().Format(time.RFC3339), l.Stage, l.MessageID,
			l.OriginalRoutingKey, l.Size, l.RedriveCount, l.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if next != 0 {
		fmt.Fprintf(stdout, "next page: -cursor %d\n", next)
	}
	return nil
}

func showDeadLetter(ctx context.Context, store *deadletter.Store, id int64, stdout io.Writer) error {
	l, err := store.Get(ctx, id)
	if err != nil {
		return err
	}
	out := struct {
		deadletter.Letter
		Headers    json.RawMessage `json:"headers"`
		Body       *string         `json:"body,omitempty"`
		BodyBase64 []byte          `json:"body_base64,omitempty"`
	}{Letter: l, Headers: l.Headers}
	if utf8.Valid(l.Body) {
		b := string(l.Body)
		out.Body = &b
	} else {
		out.BodyBase64 = l.Body
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func redriveDeadLetter(ctx context.Context, store *deadletter.Store, id int64, stdout, stderr io.Writer) error {
	conn, topo, err := dialBroker(ctx, "fmnctl-dead-letters", stderr)
	if err != nil {
		return err
	}
	defer conn.Close()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pub := conn.NewPublisher()
	defer pub.Close()
	l, err := deadletter.NewRedriver(store, pub, topo).Redrive(wctx, id, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-drove dead letter %d (message %s) to exchange %q with key %q; re-driven %d time(s)\n",
		l.ID, l.MessageID, l.OriginalExchange, l.OriginalRoutingKey, l.RedriveCount)
	return nil
}
