package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"fmn/internal/config"
	"fmn/internal/loadtest"
	"fmn/internal/loadtest/fault"
	"fmn/internal/loadtest/report"
)

// loadBench runs the whole pipeline under load (internal/loadtest) and prints a table, or JSON.
func loadBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fmnbench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	users := fs.Int("users", 10000, "users in the synthetic population (about 4 filters each)")
	seed := fs.Uint64("seed", 1, "population seed")
	heavy := fs.Float64("heavy", 0, "share of users who also get a filter verified on every message (a matching-bound population)")
	messages := fs.Int("messages", 100000, "bus messages per phase")
	workers := fs.String("workers", "2", "worker counts, comma-separated: one full-speed phase each")
	rate := fs.Float64("rate", 0, "publish every phase at this many messages/s (0: as fast as the broker confirms)")
	latency := fs.Float64("latency-at", 0.2, "add a phase at this fraction of the best measured rate, for latency (0: none)")
	latencyMessages := fs.Int("latency-messages", 0, "messages of the latency phase (0: -messages)")
	clients := fs.Int("sse-clients", 200, "users whose SSE streams are held open (spread over those with notifications)")
	archive := fs.Bool("archive", true, "keep the consumer's archiver on, as in production")
	ceiling := fs.Bool("ceiling", true, "measure the broker's transport ceiling first (one and two bare hops)")
	bin := fs.String("bin", "bin", "directory with the consumer, worker and backend binaries (make build)")
	db := fs.String("db", "fmn_load", "database to drop, create and fill")
	chaos := fs.Duration("chaos", 0, "kill a random fmn process with SIGKILL and restart it this often during full-speed phases, then check that nothing was lost or doubled (0: no kills)")
	faultList := fs.String("faults", "", "inject these faults one after another during every phase, with services of the run's own, and check every sink (SSE, mailpit, IRC, the ledger): all, or a comma-separated list of "+
		"worker, backend, consumer, rabbitmq, postgres[=10s], redis[=10s], smtp[=30s], irc")
	faultGap := fs.Duration("fault-gap", 3*time.Second, "mean pause before each fault")
	mailUsers := fs.Int("mail-users", 40, "with -faults: users who also get an email destination (mailpit)")
	ircUsers := fs.Int("irc-users", 20, "with -faults: users who also get an IRC destination (a receiver on ergo)")
	timeout := fs.Duration("timeout", 15*time.Minute, "longest drain of one phase")
	logPath := fs.String("log", "", "file for the processes' output (default: discarded)")
	profile := fs.String("profile", "", "directory for CPU profiles of every process during each full-speed phase")
	profileSeconds := fs.Int("profile-seconds", 5, "length of each CPU profile")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	faults, err := fault.Parse(*faultList)
	if err != nil {
		return fmt.Errorf("-faults: %w", err)
	}
	var ws []int
	for _, s := range strings.Split(*workers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-workers: %q is not a positive count", s)
		}
		ws = append(ws, n)
	}
	if *users < 1 || *messages < 1 || *heavy < 0 || *heavy > 1 {
		return fmt.Errorf("need users >= 1, messages >= 1, 0 <= heavy <= 1")
	}
	r := config.NewReader(os.LookupEnv)
	amqpCfg, redisCfg := config.ReadAMQP(r), config.ReadRedis(r)
	admin := r.String("FMN_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	if err := r.Err(); err != nil {
		return err
	}
	logs := io.Discard
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		logs = f
	}
	rep, err := loadtest.Run(ctx, loadtest.Config{
		AMQPURL: string(amqpCfg.URL), PostgresURL: admin, RedisURL: string(redisCfg.URL), Database: *db, BinDir: *bin,
		Users: *users, Seed: *seed, Heavy: *heavy, Messages: *messages, Workers: ws, Rate: *rate,
		Chaos: *chaos, Faults: faults, FaultGap: *faultGap, MailUsers: *mailUsers, IRCUsers: *ircUsers, LatencyFraction: *latency, LatencyMessages: *latencyMessages, SSEClients: *clients, Archive: *archive, Ceiling: *ceiling, Timeout: *timeout,
		ProfileDir: *profile, ProfileSeconds: *profileSeconds, Logs: logs, Progress: stderr,
	})
	if rep != nil {
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return err
			}
		} else {
			report.WriteText(stdout, rep)
		}
	}
	if err != nil {
		return err
	}
	for _, p := range rep.Phases {
		if p.Lost != 0 || p.Duplicated != 0 || p.Unexpected != 0 || len(p.Errors) > 0 {
			return fmt.Errorf("phase %s: lost %d, duplicated %d, unexpected %d, errors %q", p.Name, p.Lost, p.Duplicated, p.Unexpected, p.Errors)
		}
	}
	return nil
}
