// Command worker matches messages against every user's filters. See internal/worker.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/cli"
	"fmn/internal/config"
	"fmn/internal/worker"
)

func main() {
	os.Exit(cli.Main("worker", worker.LoadConfig, func(c worker.Config) config.Log { return c.Log },
		func(ctx context.Context, cfg worker.Config, logger *slog.Logger, reg *prometheus.Registry) error {
			return worker.Run(ctx, cfg, worker.Deps{Logger: logger, Registry: reg})
		}))
}
