// Command fmnbench measures fmn. Its first mode, sse, measures one backend's SSE serving: many
// concurrent streams, notifications appended at a fixed rate, the memory each stream costs and
// the delay from append to receipt. It uses the real Redis (FMN_REDIS_URL) and runs the server
// and its clients in one process, on loopback.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) == 2 && os.Args[1] == "sse-serve" {
		if err := sseServe(ctx, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "fmnbench sse-serve:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "sse" {
		fmt.Fprintln(os.Stderr, "usage: fmnbench sse [flags]   (fmnbench sse -h for the flags)")
		os.Exit(2)
	}
	if err := sseBench(ctx, os.Args[2:], os.Stdout, os.Stderr); err != nil {
		if err == flag.ErrHelp {
			return
		}
		fmt.Fprintln(os.Stderr, "fmnbench:", err)
		os.Exit(1)
	}
}

// quietLogger drops everything below errors.
func quietLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
}
