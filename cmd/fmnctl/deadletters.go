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

// deadLettersCmd lists, shows and re-drives archived dead letters through the same store as the
// web API (FMN_DATABASE_URL; redrive also FMN_AMQP_URL and the topology settings).
func deadLettersCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", deadLettersUsage)
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
	store := deadletter.NewStore(pool)

	switch args[0] {
	case "list":
		return listDeadLetters(ctx, store, args[1:], stdout, stderr)
	case "show", "redrive":
		if len(args) != 2 {
			return fmt.Errorf("%s", deadLettersUsage)
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("ID must be a positive integer, not %q", args[1])
		}
		if args[0] == "show" {
			return showDeadLetter(ctx, store, id, stdout)
		}
		return redriveDeadLetter(ctx, store, id, stdout, stderr)
	default:
		return fmt.Errorf("unknown subcommand %q; %s", args[0], deadLettersUsage)
	}
}

func listDeadLetters(ctx context.Context, store *deadletter.Store, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dead-letters list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stage := fs.String("stage", "", "only this stage (consumer, worker, backend-sse, backend-email, broker, …)")
	since := fs.String("since", "", "only letters that died at or after this RFC 3339 time")
	cursor := fs.Int64("cursor", 0, "the next cursor printed by the previous page")
	n := fs.Int("n", 50, fmt.Sprintf("page size, 1..%d", deadletter.MaxPerPage))
	if err := fs.Parse(args); err != nil {
		return err
	}
	q := deadletter.Query{Stage: *stage, Before: *cursor, PerPage: *n}
	if *n < 1 || *n > deadletter.MaxPerPage {
		return fmt.Errorf("-n must be from 1 to %d", deadletter.MaxPerPage)
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return fmt.Errorf("-since: %w", err)
		}
		q.Since = t
	}
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
