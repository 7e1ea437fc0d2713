package backend

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/notify"
	"fmn/internal/notify/irc"
)

func TestErrorClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		err         error
		class       string
		unreachable bool
	}{
		// An SMTP reply: its code, never the address it may quote.
		{"smtp", fmt.Errorf("smtp 451 4.7.1 <a@example.org> greylisted"), "smtp 451", false},
		// IRC nick not online: its own class; the server is reachable, the rest of the batch is sent.
		{"irc 401", fmt.Errorf("send: %w", irc.NoSuchNickError{}), "irc 401", false},
		// IRC bot disconnected: the rest of the batch fails at once.
		{"irc down", irc.ErrDisconnected, "connection", true},
		// A timeout.
		{"timeout", context.DeadlineExceeded, "timeout", true},
		// A permanent refusal.
		{"permanent", notify.Permanent(fmt.Errorf("irc: address is not a nick")), "rejected", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.class, errorClass(tc.err))
			require.Equal(t, tc.unreachable, unreachable(tc.err))
		})
	}
}
