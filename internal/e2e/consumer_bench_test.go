package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/consumer"
	"fmn/internal/corpus"
	"fmn/internal/rabbit"
	"fmn/internal/testkit/rabbittest"
)

// BenchmarkConsumerDrain is one consumer (production batch size) draining a backlog of b.N
// corpus messages from the bus queue into work items, with and without archiving each message
// in PostgreSQL: messages/s, and whether the archive slows the consumer. Real RabbitMQ, Redis and
// PostgreSQL; no workers run (work items wait in their queue).
//
//	go test ./internal/e2e/ -run '^$' -bench ConsumerDrain -benchtime 20000x
func BenchmarkConsumerDrain(b *testing.B) {
	drainBatch := consumer.DefaultBatchSize
	if v := os.Getenv("FMN_BENCH_CONSUMER_BATCH"); v != "" { // to compare batch sizes
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		drainBatch = n
	}
	recs, err := corpus.LoadDefault()
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		duty float64 // 0: archiving off
	}{{"archive=off", 0}, {"archive=on", 1}, {"archive=on,duty=0.5", 0.5}, {"archive=on,duty=0.25", 0.25}} {
		archiving := mode.duty > 0
		b.Run(mode.name, func(b *testing.B) {
			s := newStack(b, rabbittest.URL(b))
			s.consumerBatch, s.noArchive, s.archiveDuty = drainBatch, !archiving, mode.duty
			// The consumer declares and binds the bus queue: start it once, stop it, fill the queue.
			s.startConsumer(nil).stop(b)
			s.publishCorpus(b, recs, b.N)

			b.ResetTimer()
			start := time.Now()
			s.startConsumer(nil)
			deadline := time.Now().Add(10 * time.Minute)
			for gauge(b, s.consumerReg, "fmn_consumer_forwarded_total") < float64(b.N) {
				if time.Now().After(deadline) {
					b.Fatalf("forwarded %v of %d", gauge(b, s.consumerReg, "fmn_consumer_forwarded_total"), b.N)
				}
				time.Sleep(5 * time.Millisecond) // polling a counter, not waiting for an event
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msg/s")
			if archiving { // the archiver drains its own copy of the bus, at its own pace
				for gauge(b, s.consumerReg, "fmn_consumer_archived_total") < float64(b.N) {
					if time.Now().After(deadline) {
						b.Fatalf("archived %v of %d", gauge(b, s.consumerReg, "fmn_consumer_archived_total"), b.N)
					}
					time.Sleep(5 * time.Millisecond)
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "archived-msg/s")
			}
		})
	}
}

// publishCorpus puts n messages onto the bus, cycling through the corpus with fresh ids and
// times.
func (s *stack) publishCorpus(b *testing.B, recs []corpus.Record, n int) {
	conn, err := rabbit.Dial(rabbit.Config{URL: s.amqpURL}, rabbit.Deps{Logger: s.logger})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	pub := conn.NewPublisher()
	defer pub.Close()
	batch := make([]rabbit.Outgoing, 0, 500)
	for i := range n {
		d := recs[i%len(recs)].AMQP()
		// Sent now, as live traffic is (the corpus spans 14 years: its own times would spread one
		// batch over hundreds of weekly partitions).
		d.Headers["sent-at"] = time.Now().UTC().Format(time.RFC3339)
		batch = append(batch, rabbit.Outgoing{Exchange: s.topo.BusExchange, Key: d.RoutingKey, Msg: amqp.Publishing{
			MessageId: fmt.Sprintf("%s-%d", d.MessageID, i), ContentType: "application/json", Headers: amqp.Table(d.Headers),
			DeliveryMode: amqp.Persistent, Body: d.Body,
		}})
		if len(batch) == cap(batch) || i == n-1 {
			if err := pub.Publish(context.Background(), batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
