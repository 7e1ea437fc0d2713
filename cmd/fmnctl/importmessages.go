package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"fmn/internal/archive"
	"fmn/internal/archive/importer"
)

// importMessagesCmd archives the messages of datagrepper /raw pages and JSONL files.
func importMessagesCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import-messages", flag.ContinueOnError)
	fs.SetOutput(stderr)
	batch := fs.Int("batch", importer.DefaultBatch, "messages per archive write (one transaction)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl import-messages [flags] FILE...

Archives the messages of each FILE (- for stdin): datagrepper /raw pages as saved from its API
(one JSON document, or one page a line), or JSONL with one message a line in datagrepper's raw
shape (msg_id, topic, timestamp, msg, headers) or fmn's bus shape (id, topic, sent_at, body,
headers; the corpus format). Messages archived before are left alone, so an import can be rerun.
Messages that do not decode are listed with their line and counted; they do not stop the import.
Uses FMN_DATABASE_URL.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("no files given")
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	imp, err := importer.New(importer.Config{Batch: *batch}, importer.Deps{Writer: archive.NewStore(pool, time.Now)})
	if err != nil {
		return err
	}
	start := time.Now()
	var total importer.Summary
	for _, name := range fs.Args() {
		sum, err := importFile(ctx, imp, name, stdin)
		if name == "-" {
			name = "stdin"
		}
		for _, p := range sum.Problems {
			fmt.Fprintln(stderr, p)
		}
		if sum.Malformed > len(sum.Problems) {
			fmt.Fprintf(stderr, "%s: %d more malformed messages not listed\n", name, sum.Malformed-len(sum.Problems))
		}
		fmt.Fprintf(stdout, "%s: %d messages archived, %d malformed\n", name, sum.Messages, sum.Malformed)
		total.Add(sum)
		if err != nil {
			return fmt.Errorf("import stopped in %s (the messages counted above are archived): %w", name, err)
		}
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "total: %d messages archived, %d malformed, in %s (%.0f msg/s)\n",
		total.Messages, total.Malformed, el.Round(time.Millisecond), float64(total.Messages)/el.Seconds())
	return nil
}

// importFile imports one file, or stdin for "-".
func importFile(ctx context.Context, imp *importer.Importer, name string, stdin io.Reader) (importer.Summary, error) {
	if name == "-" {
		return imp.Import(ctx, "stdin", stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return importer.Summary{}, err
	}
	defer f.Close()
	return imp.Import(ctx, name, f)
}
