// Command consumer takes messages off the bus and hands them to the workers. See internal/consumer.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"fmn/internal/cli"
	"fmn/internal/config"
	"fmn/internal/consumer"
)

func main() {
	os.Exit(cli.Main("consumer", consumer.LoadConfig, func(c consumer.Config) config.Log { return c.Log },
		func(ctx context.Context, cfg consumer.Config, logger *slog.Logger, reg *prometheus.Registry) error {
			return consumer.Run(ctx, cfg, consumer.Deps{Logger: logger, Registry: reg})
		}))
}
