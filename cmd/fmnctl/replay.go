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

// replayCmd publishes corpus-format messages onto the bus exchange.
func replayCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fl, err := parseReplayFlags(args, stderr)
	if err != nil {
		return err
	}
	recs, err := fl.records(stdin)
	if err != nil {
		return err
	}
	conn, topo, err := dialBroker(ctx, "fmnctl-replay", stderr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if fl.exchange == "" {
		fl.exchange = topo.BusExchange
	}
	pub := conn.NewPublisher()
	defer pub.Close()

	r := &replayer{pub: pub, exchange: fl.exchange, freshIDs: fl.freshIDs, batch: make([]rabbit.Outgoing, 0, replayBatch)}
	if fl.freshIDs {
		r.suffix = "-" + time.Now().UTC().Format("20060102T150405.000")
	}
	if err := r.replay(ctx, recs, fl.rate); err != nil {
		return err
	}
	el := time.Since(r.start)
	fmt.Fprintf(stdout, "published %d messages to %s in %s (%.0f msg/s)\n", r.sent, fl.exchange, el.Round(time.Millisecond), float64(r.sent)/el.Seconds())
	return nil
}

// replayFlags are replay's settings.
type replayFlags struct {
	file, exchange string
	limit          int
	rate           float64
	freshIDs       bool
}

// parseReplayFlags reads replay's flags.
func parseReplayFlags(args []string, stderr io.Writer) (replayFlags, error) {
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
		return replayFlags{}, err
	}
	if fs.NArg() > 0 {
		return replayFlags{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return replayFlags{file: *file, exchange: *exchange, limit: *limit, rate: *rate, freshIDs: *freshIDs}, nil
}

// records reads the messages to replay: the file (stdin for -), or the default corpus, cut to
// the limit.
func (fl replayFlags) records(stdin io.Reader) ([]corpus.Record, error) {
	var recs []corpus.Record
	var err error
	switch fl.file {
	case "":
		recs, err = corpus.LoadDefault()
	case "-":
		recs, err = corpus.Read(stdin)
	default:
		recs, err = corpus.Load(fl.file)
	}
	if err != nil {
		return nil, err
	}
	if fl.limit > 0 && fl.limit < len(recs) {
		recs = recs[:fl.limit]
	}
	return recs, nil
}

// replayer publishes records on the bus exchange in confirmed batches.
type replayer struct {
	pub      *rabbit.Publisher
	exchange string
	// freshIDs stamps each message sent now; suffix is added to every message id.
	freshIDs bool
	suffix   string
	batch    []rabbit.Outgoing
	// start is when publishing began; sent counts the messages confirmed.
	start time.Time
	sent  int
}

// replay publishes recs, rate messages a second (each confirmed alone), or as fast as the
// broker confirms batches of replayBatch when rate is 0.
func (r *replayer) replay(ctx context.Context, recs []corpus.Record, rate float64) error {
	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
	}
	r.start = time.Now()
	for i := range recs {
		r.batch = append(r.batch, r.outgoing(&recs[i]))
		if tick != nil {
			if err := r.flush(ctx); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		} else if len(r.batch) == replayBatch {
			if err := r.flush(ctx); err != nil {
				return err
			}
		}
	}
	return r.flush(ctx)
}

// outgoing is the bus message of rec.
func (r *replayer) outgoing(rec *corpus.Record) rabbit.Outgoing {
	d := rec.AMQP()
	if r.freshIDs {
		d.Headers["sent-at"] = time.Now().UTC().Format(time.RFC3339Nano)
	}
	return rabbit.Outgoing{Exchange: r.exchange, Key: d.RoutingKey, Msg: amqp.Publishing{
		MessageId:   d.MessageID + r.suffix,
		ContentType: "application/json",
		Headers:     amqp.Table(d.Headers),
		Timestamp:   time.Now(),
		Body:        d.Body,
	}}
}

// flush publishes the batch, waiting for the broker's confirms.
func (r *replayer) flush(ctx context.Context) error {
	if len(r.batch) == 0 {
		return nil
	}
	if err := r.pub.Publish(ctx, r.batch...); err != nil {
		if errors.Is(err, rabbit.ErrUnroutable) {
			return fmt.Errorf("%w: is the consumer running (it binds fmn's queue to %s)?", err, r.exchange)
		}
		return err
	}
	r.sent += len(r.batch)
	r.batch = r.batch[:0]
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
