package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"fmn/internal/population"
	"fmn/internal/population/popdb"
	"fmn/internal/rabbit"
	"fmn/migrations"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// freshDatabase drops and recreates database name on the server of adminURL, migrates it, and
// returns its URL.
func freshDatabase(ctx context.Context, adminURL, name string) (string, error) {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to postgres: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	id := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop %s: %w", name, err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+id); err != nil {
		return "", fmt.Errorf("create %s: %w", name, err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("postgres url: %w", err)
	}
	u.Path = "/" + name
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		return "", fmt.Errorf("open %s: %w", name, err)
	}
	defer pool.Close()
	if _, err := migrations.Up(ctx, pool); err != nil {
		return "", fmt.Errorf("migrate %s: %w", name, err)
	}
	return u.String(), nil
}

// makePopulation generates the population of cfg: every filter sends to the user's first
// destination, which popdb makes an SSE stream (e-mail would bound the run by the SMTP server's
// pace, which is not what this measures). With Heavy, a share of users also get an expensive
// filter (see heavyFilter).
func makePopulation(cfg Config) *population.Population {
	p := population.Generate(population.Config{Users: cfg.Users, Seed: cfg.Seed})
	var maxID int64
	for i := range p.Snapshot.Filters {
		f := &p.Snapshot.Filters[i]
		maxID = max(maxID, f.ID)
		first := f.Destinations[0] - (f.Destinations[0]+1)%2 // population ids: 2u+1 first, 2u+2 second
		f.Destinations = []int64{first}
	}
	if cfg.Heavy > 0 {
		n := int(float64(len(p.Users)) * cfg.Heavy)
		for u := range n {
			maxID++
			p.Snapshot.Filters = append(p.Snapshot.Filters, heavyFilter(p, u, maxID))
		}
	}
	return p
}

// heavyFilter is a filter with no selective positive condition, so the matcher verifies it on
// every message (the UI warns about such filters): "everything except my own actions, noisy apps,
// these people, packages and groups", which then fails on its last condition, so that it costs
// matching work without adding notifications.
func heavyFilter(p *population.Population, u int, id int64) rules.Filter {
	pick := func(names []string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = names[(u*7919+i*104729)%len(names)]
		}
		return out
	}
	arts := rules.Condition{Field: rules.FieldArtifact, Negate: true, Values: pick(p.Packages, 8), ArtifactType: string(message.ArtifactRPM)}
	return rules.Filter{ID: id, User: p.Users[u], Name: "everything else", Enabled: true, Destinations: []int64{int64(2*u + 1)},
		Conditions: []rules.Condition{
			{Field: rules.FieldApp, Negate: true, Values: []string{"fedbadges", "mailman", "meetbot"}},
			{Field: rules.FieldAgent, Negate: true, Values: []string{rules.Me}},
			{Field: rules.FieldUser, Negate: true, Values: pick(p.Users, 8)},
			arts,
			{Field: rules.FieldGroup, Negate: true, Values: pick(p.Groups, 2)},
			{Field: rules.FieldBody, Op: rules.OpEq, Path: "fmn_load.never", Values: []string{"x"}},
		}}
}

// loadPopulation writes p into the database at dbURL.
func loadPopulation(ctx context.Context, dbURL string, p *population.Population) (popdb.Stats, error) {
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return popdb.Stats{}, fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	return popdb.Load(ctx, pool, p)
}

// resetBroker deletes the run's queues and exchanges, with what they hold.
func resetBroker(ctx context.Context, amqpURL string, topo rabbit.Topology, extra ...string) error {
	conn, err := amqp.Dial(amqpURL)
	if err != nil {
		return fmt.Errorf("connect to rabbitmq: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("rabbitmq channel: %w", err)
	}
	defer ch.Close()
	var errs []error
	errs = append(errs, topo.Delete(ch))
	for _, q := range extra {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil && !rabbit.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// resetRedis deletes every key under prefix.
func resetRedis(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		err := rdb.Unlink(ctx, keys...).Err()
		keys = keys[:0]
		return err
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			if err := flush(); err != nil {
				return fmt.Errorf("clear redis: %w", err)
			}
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("clear redis: %w", err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("clear redis: %w", err)
	}
	return nil
}
