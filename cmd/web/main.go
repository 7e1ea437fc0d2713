// Command web serves the web app and API. See internal/web.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/cli"
	"fmn/internal/config"
	"fmn/internal/web"
)

func main() {
	os.Exit(cli.Main("web", web.LoadConfig, func(c web.Config) config.Log { return c.Log },
		func(ctx context.Context, cfg web.Config, logger *slog.Logger, reg *prometheus.Registry) error {
			return web.Run(ctx, cfg, web.Deps{Logger: logger, Registry: reg})
		}))
}
