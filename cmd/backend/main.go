// Command backend delivers notifications. See internal/backend.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/backend"
	"fmn/internal/cli"
	"fmn/internal/config"
)

func main() {
	os.Exit(cli.Main("backend", backend.LoadConfig, func(c backend.Config) config.Log { return c.Log },
		func(ctx context.Context, cfg backend.Config, logger *slog.Logger, reg *prometheus.Registry) error {
			return backend.Run(ctx, cfg, backend.Deps{Logger: logger, Registry: reg})
		}))
}
