package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/config"
	"fmn/internal/corpus"
	"fmn/internal/rabbit"
)

// replayBatch is how many messages are published per confirm round trip.
const replayBatch = 100

func replayCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "JSONL file in the corpus format; - for stdin (default: the repository's corpus, testdata/corpus, or FMN_CORPUS)")
	exchange := fs.String("exchange", "", "bus exchange (default FMN_BUS_EXCHANGE or amq.topic)")
	limit := fs.Int("limit", 0, "publish at most this many messages (0: all)")
	rate := fs.Float64("rate", 0, "messages per second (0: as fast as the broker confirms)")
	freshIDs := fs.Bool("fresh-ids", false, "suffix every message id with this run's time and stamp each message sent now, so a replay is new: not dropped as already seen, nor delivered as years late")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl replay [flags]

Publishes JSONL messages in the corpus format onto the bus exchange, with publisher confirms, the
way the message bus delivers them to the consumer. Uses FMN_AMQP_URL and FMN_BUS_EXCHANGE.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var recs []corpus.Record
	var err error
	switch *file {
	case "":
		recs, err = corpus.LoadDefault()
	case "-":
		recs, err = corpus.Read(stdin)
	default:
		recs, err = corpus.Load(*file)
	}
	if err != nil {
		return err
	}
	if *limit > 0 && *limit < len(recs) {
		recs = recs[:*limit]
	}
	conn, topo, err := dialBroker(ctx, "fmnctl-replay", stderr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if *exchange == "" {
		*exchange = topo.BusExchange
	}
	pub := conn.NewPublisher()
	defer pub.Close()

	suffix := ""
	if *freshIDs {
		suffix = "-" + time.Now().UTC().Format("20060102T150405.000")
	}
	var tick *time.Ticker
	if *rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / *rate))
		defer tick.Stop()
	}
	start := time.Now()
	sent := 0
	batch := make([]rabbit.Outgoing, 0, replayBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := pub.Publish(ctx, batch...); err != nil {
			if errors.Is(err, rabbit.ErrUnroutable) {
				return fmt.Errorf("%w: is the consumer running (it binds fmn's queue to %s)?", err, *exchange)
			}
			return err
		}
		sent += len(batch)
		batch = batch[:0]
		return nil
	}
	for i := range recs {
		d := recs[i].AMQP()
		if *freshIDs {
			d.Headers["sent-at"] = time.Now().UTC().Format(time.RFC3339Nano)
		}
		batch = append(batch, rabbit.Outgoing{Exchange: *exchange, Key: d.RoutingKey, Msg: amqp.Publishing{
			MessageId:   d.MessageID + suffix,
			ContentType: "application/json",
			Headers:     amqp.Table(d.Headers),
			Timestamp:   time.Now(),
			Body:        d.Body,
		}})
		if tick != nil {
			if err := flush(); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		} else if len(batch) == replayBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "published %d messages to %s in %s (%.0f msg/s)\n", sent, *exchange, el.Round(time.Millisecond), float64(sent)/el.Seconds())
	return nil
}

// dialBroker connects to FMN_AMQP_URL and waits, up to 30 s, until the connection is up.
func dialBroker(ctx context.Context, name string, stderr io.Writer) (*rabbit.Conn, rabbit.Topology, error) {
	r := config.NewReader(os.LookupEnv)
	a := config.ReadAMQP(r)
	topo := config.ReadTopology(r, a)
	if err := r.Err(); err != nil {
		return nil, topo, err
	}
	conn, err := rabbit.Dial(rabbit.Config{URL: string(a.URL), ConnectionName: name},
		rabbit.Deps{Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return nil, topo, err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := conn.WaitReady(wctx); err != nil {
		_ = conn.Close()
		return nil, topo, fmt.Errorf("connect to the broker: %w", err)
	}
	return conn, topo, nil
}
