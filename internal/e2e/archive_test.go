package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/rabbittest"
)

// Every message the consumer accepts is archived, with its users and packages, once, even when
// the bus delivers it again; a paced archiver still gets there.
func TestMessagesAreArchived(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.archiveDuty = 0.5 // the archiver rests between batches, as in production
	s.startConsumer(nil)
	s.userMessage("arch-1", "alice", "bob")
	s.userMessage("arch-2", "carol")
	s.userMessage("arch-1", "alice", "bob") // a redelivery
	count := func(q string, args ...any) int {
		var n int
		require.NoError(t, s.pool.QueryRow(context.Background(), q, args...).Scan(&n))
		return n
	}
	require.Eventually(t, func() bool {
		return count(`SELECT count(*) FROM messages WHERE msg_id IN ('arch-1', 'arch-2')`) == 2
	}, waitFor, 20*time.Millisecond)
	require.Equal(t, 2, count(`SELECT count(*) FROM message_users u JOIN messages m ON m.id = u.message_id AND m.sent_at = u.sent_at
		WHERE m.msg_id = 'arch-1'`), "alice and bob")
	s.userMessage("arch-3", "dave")
	require.Eventually(t, func() bool { return count(`SELECT count(*) FROM messages WHERE msg_id = 'arch-3'`) == 1 }, waitFor, 20*time.Millisecond)
	require.Equal(t, 1, count(`SELECT count(*) FROM messages WHERE msg_id = 'arch-1'`), "archived once")
}
