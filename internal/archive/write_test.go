package archive_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/internal/pgtest"
	"fmn/pkg/message"
)

func msg(id string, sent time.Time, users ...string) message.Message {
	return message.Message{ID: id, SentAt: sent, Topic: "org.fedoraproject.prod.bodhi.update.comment", App: "bodhi",
		Agent: "bob", Severity: message.SeverityInfo, Usernames: users, Summary: "s",
		Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}}, Body: json.RawMessage(`{"a":"\u0000x"}`)}
}

func TestWriteIsIdempotentAndPartitioned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := archive.NewStore(pool, func() time.Time { return now })
	batch := []message.Message{msg("a", now, "alice", "bob"), msg("b", now.AddDate(0, 0, -10), "alice"), msg("c", time.Time{}),
		msg("a", now, "alice", "bob")} // a repeated within the batch
	require.NoError(t, s.Write(ctx, batch))
	require.NoError(t, s.Write(ctx, batch[:2]), "writing again changes nothing")

	count := func(q string) int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, q).Scan(&n))
		return n
	}
	require.Equal(t, 3, count(`SELECT count(*) FROM messages`))
	require.Equal(t, 3, count(`SELECT count(*) FROM message_users`))
	require.Equal(t, 3, count(`SELECT count(*) FROM message_packages WHERE name = 'kernel'`))
	require.Equal(t, 2, count(`SELECT count(*) FROM pg_inherits WHERE inhparent = 'messages'::regclass`), "two weeks")
	require.Equal(t, 1, count(`SELECT count(*) FROM messages WHERE msg_id = 'c' AND sent_at = '2026-11-23T12:00:00Z'`),
		"a message without a time gets the archiving time")

	detached, err := s.DetachBefore(ctx, now.AddDate(0, 0, -3))
	require.NoError(t, err)
	require.Equal(t, []string{"messages_20261109_detached_20261123T120000", "message_users_20261109_detached_20261123T120000",
		"message_packages_20261109_detached_20261123T120000"}, detached)
	require.Equal(t, 2, count(`SELECT count(*) FROM messages`))
	require.NoError(t, s.Write(ctx, []message.Message{msg("late", now.AddDate(0, 0, -9))}), "a late message gets its week again")
	require.Equal(t, 3, count(`SELECT count(*) FROM messages`))
}
