// Package cli is what fmn's four service binaries share in main: read the config, build the
// logger and registry, turn SIGINT/SIGTERM into a context, run, and map the outcome to an exit
// code.
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/config"
	"fmn/internal/telemetry"
)

// Main runs one service and returns the process exit code: 2 for bad configuration, 1 when the
// service failed, 0 after a clean stop. With the single argument -print-config it prints the
// effective configuration as JSON, secrets redacted, and exits.
func Main[C any](name string, load func(config.LookupFunc) (C, error), logCfg func(C) config.Log,
	run func(ctx context.Context, cfg C, logger *slog.Logger, reg *prometheus.Registry) error) int {
	cfg, err := load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: configuration:\n%v\n", name, err)
		return 2
	}
	switch {
	case len(os.Args) == 2 && os.Args[1] == "-print-config":
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(cfg); err != nil {
			fmt.Fprintf(os.Stderr, "%s: print config: %v\n", name, err)
			return 1
		}
		return 0
	case len(os.Args) > 1:
		fmt.Fprintf(os.Stderr, "usage: %s [-print-config]\n(configuration comes from FMN_* environment variables; see the README)\n", name)
		return 2
	}
	logger := telemetry.NewLogger(os.Stderr, logCfg(cfg)).With("service", name)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if addr := os.Getenv(EnvPprofAddr); addr != "" {
		go servePprof(ctx, addr, logger)
	}
	if err := run(ctx, cfg, logger, telemetry.NewRegistry()); err != nil {
		logger.Error(name+" exited", "error", err)
		return 1
	}
	logger.Info(name + " stopped")
	return 0
}
