package consumer

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/internal/deadletter/letter"
	"fmn/internal/wire"
	"fmn/pkg/message"
)

// workDelivery is an archive-queue delivery of a work item of msgs.
func workDelivery(t *testing.T, msgs ...message.Message) amqp.Delivery {
	t.Helper()
	body, err := wire.Encode(&wire.WorkItem{Messages: msgs})
	require.NoError(t, err)
	return amqp.Delivery{ContentType: wire.ContentType, Type: wire.TypeWork, Body: body}
}

// archived is a message as the forwarder hands it to the archiver.
func archived(id string, sent time.Time, users ...string) message.Message {
	return message.Message{ID: id, SentAt: sent, Topic: bodhiTopic, App: "bodhi", Severity: message.SeverityInfo,
		Usernames: users, Body: json.RawMessage(`{"n":1}`)}
}

// The forwarder's work items land in the archive with their users, once however often they
// come; a bus message left in the queue from before work items is decoded and archived too.
func TestArchiverWritesWorkItems(t *testing.T) {
	t.Parallel()
	b := setup(t)
	j := b.jobs(b.config())
	a := j.archiver(b.pool)
	now := time.Now().UTC()
	ctx := context.Background()

	item := workDelivery(t, archived("ar-1", now, "alice", "bob"), archived("ar-2", now, "carol"))
	a.handle(ctx, []amqp.Delivery{item, delivery("ar-bus", "dave")})
	a.handle(ctx, []amqp.Delivery{item}) // a redelivery

	require.Equal(t, 3, b.count(`SELECT count(*) FROM messages`))
	require.Equal(t, 1, b.count(`SELECT count(*) FROM messages WHERE msg_id = 'ar-1'`), "archived once")
	require.Equal(t, []string{"alice", "bob"}, b.users("ar-1"))
	require.Equal(t, []string{"dave"}, b.users("ar-bus"), "the bus message was decoded and extracted")
	require.Equal(t, 5.0, testutil.ToFloat64(j.m.archive.archived), "handled, archived or there already")
	require.Zero(t, b.depth(b.topo.DeadLetterQueue))
}

// users are the archived users of message id.
func (b *testBundle) users(id string) []string {
	b.t.Helper()
	var out []string
	require.NoError(b.t, b.pool.QueryRow(context.Background(), `SELECT array_agg(u.name ORDER BY u.name) FROM message_users u
		JOIN messages m ON m.id = u.message_id AND m.sent_at = u.sent_at WHERE m.msg_id = $1`, id).Scan(&out))
	return out
}

// An undecodable work item is dead-lettered with stage "archive"; a malformed bus message is
// dropped (the forwarder dead-lettered its own copy); the rest of the batch is archived.
func TestArchiverDeadLettersUndecodableWorkItems(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.jobs(b.config()).archiver(b.pool)
	broken := amqp.Delivery{ContentType: wire.ContentType, Type: wire.TypeWork, MessageId: "broken", Body: []byte(`{"messages":`)}
	malformed := delivery("bad-bus")
	malformed.Body = []byte("not json")

	a.handle(context.Background(), []amqp.Delivery{broken, malformed, workDelivery(t, archived("ok-1", time.Now()))})

	require.Equal(t, 1, b.count(`SELECT count(*) FROM messages WHERE msg_id = 'ok-1'`))
	d := b.next(b.topo.DeadLetterQueue)
	require.Equal(t, "broken", d.MessageId)
	require.Equal(t, "archive", d.Headers[letter.HeaderStage])
	require.NotEmpty(t, d.Headers[letter.HeaderReason])
	require.Equal(t, broken.Body, d.Body)
	require.Zero(t, b.depth(b.topo.DeadLetterQueue), "the malformed bus message is not dead-lettered again")
}

// A message the database refuses is dead-lettered alone, as a work item of that message only;
// the others of its work item are archived.
func TestArchiverDeadLettersARefusedMessageAlone(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := b.jobs(b.config()).archiver(b.pool)
	refused := archived("refused", time.Now())
	refused.Body = json.RawMessage(`{"text":"\ud800"}`) // valid JSON, but jsonb refuses a lone surrogate

	a.handle(context.Background(), []amqp.Delivery{workDelivery(t, archived("fine-1", time.Now()), refused, archived("fine-2", time.Now()))})

	require.Equal(t, 2, b.count(`SELECT count(*) FROM messages WHERE msg_id IN ('fine-1', 'fine-2')`))
	require.Zero(t, b.count(`SELECT count(*) FROM messages WHERE msg_id = 'refused'`))
	d := b.next(b.topo.DeadLetterQueue)
	require.Equal(t, "refused", d.MessageId)
	require.Equal(t, "archive", d.Headers[letter.HeaderStage])
	require.Equal(t, wire.TypeWork, d.Type)
	item, err := wire.DecodeWork(d.Body)
	require.NoError(t, err)
	require.Equal(t, []string{"refused"}, ids(item.Messages), "the dead letter holds the refused message only")
	require.Zero(t, b.depth(b.topo.DeadLetterQueue))
}

// Retention detaches the weeks older than ArchiveRetention as soon as it starts; with no
// retention it keeps everything and returns at once.
func TestArchiverRetention(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cfg := b.config()
	cfg.ArchiveRetention = 14 * 24 * time.Hour
	a := b.jobs(cfg).archiver(b.pool)
	now := time.Now().UTC()
	require.NoError(t, a.store.Write(context.Background(), []message.Message{
		archived("old", now.AddDate(0, 0, -30)), archived("recent", now.AddDate(0, 0, -1)),
	}))

	keep := *a
	keep.retention = 0
	require.NoError(t, keep.retain(context.Background()), "no retention: returns at once")
	require.Equal(t, 2, b.count(`SELECT count(*) FROM messages`))

	b.run(a.retain)
	require.Eventually(t, func() bool { return b.count(`SELECT count(*) FROM messages`) == 1 }, waitFor, 10*time.Millisecond)
	require.Equal(t, 1, b.count(`SELECT count(*) FROM messages WHERE msg_id = 'recent'`))
	require.Positive(t, b.count(`SELECT count(*) FROM pg_class WHERE relname LIKE 'messages\_%\_detached\_%'`),
		"the old week is detached, not dropped")
	_, err := archive.NewStore(b.pool, time.Now).Find(context.Background(), "old")
	require.ErrorIs(t, err, archive.ErrNotFound)
}

// Pacing rests after a batch so that the archiver works at most its duty of the time: a batch
// that took a second at duty 0.25 is followed by three seconds of rest; a duty of 1 never
// rests, and the end of the context cuts a rest short.
func TestArchiverPace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		duty   float64
		cancel bool
		want   time.Duration
	}{
		// The default share: three times the work in rest.
		{name: "quarter", duty: 0.25, want: 3 * time.Second},
		// Half: as much rest as work.
		{name: "half", duty: 0.5, want: time.Second},
		// No limit.
		{name: "one", duty: 1, want: 0},
		// Zero (unset) is no limit either.
		{name: "unset", duty: 0, want: 0},
		// A stopping archiver does not rest.
		{name: "cancelled", duty: 0.25, cancel: true, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tc.cancel {
					cancel()
				}
				a := &archiver{duty: tc.duty}
				start := time.Now()
				time.Sleep(time.Second) // the batch's work, on the bubble's clock
				rested := time.Now()
				a.pace(ctx, start)
				require.Equal(t, tc.want, time.Since(rested))
			})
		})
	}
}
