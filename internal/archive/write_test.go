package archive_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/internal/testkit/pgtest"
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

// An archived message reads back as the consumer extracted it, so a preview over the archive
// matches what the workers matched.
func TestArchivedMessagesReadBackAsExtracted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	s := archive.NewStore(pool, func() time.Time { return now })
	in := msg("x", now.Add(-time.Hour), "alice", "bob")
	in.Groups = []string{"packager"}
	in.Artifacts = append(in.Artifacts, message.Artifact{Type: message.ArtifactContainer, Name: "httpd"})
	in.Body = json.RawMessage(`{"b": [1, 2], "a": "z"}`)
	older := msg("y", now.Add(-48*time.Hour), "carol")
	require.NoError(t, s.Write(ctx, []message.Message{older, in}))

	got, err := s.Find(ctx, "x")
	require.NoError(t, err)
	require.JSONEq(t, string(in.Body), string(got.Body))
	got.Body = in.Body
	require.Equal(t, in, got)
	_, err = s.Find(ctx, "nope")
	require.ErrorIs(t, err, archive.ErrNotFound)

	latest, err := s.Latest(ctx, now.Add(-24*time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, latest, 1, "only what was sent after since")
	require.Equal(t, "x", latest[0].ID)
	latest, err = s.Latest(ctx, now.Add(-72*time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"x", "y"}, []string{latest[0].ID, latest[1].ID}, "newest first")
}
