// Command fmnbench measures fmn. Mode load runs the whole pipeline (consumer, workers and a
// backend as real processes) under load beside the broker's transport ceiling (issue #9). Mode history times the message-history API's query
// combinations against a running web app (issue #8). Mode sse measures one backend's SSE serving: many
// concurrent streams, notifications appended at a fixed rate, the memory each stream costs and
// the delay from append to receipt. It uses the real Redis (FMN_REDIS_URL) and runs the server
// and its clients in one process, on loopback. Mode match measures the compiled rules matcher on a
// generated population (default or Fedora-shaped) with the corpus mapped onto it: compile time,
// heap, latency per message and the work behind it (issue #21).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() { os.Exit(run()) } // run returns the exit code, so deferred cleanup still runs

// run runs the mode named by the first argument and returns the exit code: 2 for a usage error.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) == 2 && os.Args[1] == "sse-serve" {
		if err := sseServe(ctx, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "fmnbench sse-serve:", err)
			return 1
		}
		return 0
	}
	modes := map[string]func(context.Context, []string, io.Writer, io.Writer) error{"sse": sseBench, "history": historyBench, "load": loadBench,
		"match": matchBench}
	if len(os.Args) < 2 || modes[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: fmnbench load|sse|history|match [flags]   (fmnbench MODE -h for the flags)")
		return 2
	}
	if err := modes[os.Args[1]](ctx, os.Args[2:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "fmnbench:", err)
		return 1
	}
	return 0
}

// quietLogger drops everything below errors.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
}
