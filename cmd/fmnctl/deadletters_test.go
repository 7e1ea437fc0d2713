package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/deadletter"
	"fmn/internal/deadletter/letter"
	"fmn/internal/testkit/pgtest"
)

// TestDeadLettersCmd lists and shows archived dead letters.
func TestDeadLettersCmd(t *testing.T) {
	db := pgtest.DB(t)
	t.Setenv("FMN_DATABASE_URL", db)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	store := deadletter.NewStore(pool)
	d := amqp.Delivery{MessageId: "m-1", Body: []byte("not json"), Headers: amqp.Table{
		letter.HeaderStage: "consumer", letter.HeaderReason: "body is not valid JSON",
		letter.HeaderOriginalRoutingKey: "org.x", letter.HeaderDeadAt: "2026-11-23T20:00:00Z"}}
	_, err = store.Insert(ctx, []deadletter.Archived{deadletter.FromDelivery(d, deadletter.DefaultMaxBody, time.Now())})
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"dead-letters", "list", "-stage", "consumer"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "m-1")
	require.Contains(t, stdout.String(), "body is not valid JSON")
	id := strings.Fields(strings.Split(stdout.String(), "\n")[1])[0]

	stdout.Reset()
	code = run(ctx, []string{"dead-letters", "show", id}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), `"body": "not json"`)

	stderr.Reset()
	code = run(ctx, []string{"dead-letters", "show", "x"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 1, code)
	require.Contains(t, stderr.String(), "ID must be a positive integer")
	stderr.Reset()
	code = run(ctx, []string{"dead-letters", "show", "999999"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 1, code)
	require.Contains(t, stderr.String(), "not found")
}
