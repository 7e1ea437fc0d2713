package fault

import (
	"net/smtp"
	"net/textproto"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/mailtest"
)

// TestSMTPGateRefusesBetweenCommands: the gate in front of a real mailpit passes a session
// through; once it refuses, a message already being sent still goes through and is accepted, the
// session's next command gets 421, and so does a new connection.
func TestSMTPGateRefusesBetweenCommands(t *testing.T) {
	t.Parallel()
	mp := mailtest.Start(t)
	g, err := newSMTPGate(mp.SMTPAddr)
	require.NoError(t, err)
	t.Cleanup(g.close)

	c, err := smtp.Dial(g.addr())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Mail("fmn@fmnload.example"))
	require.NoError(t, c.Rcpt("alice@fmnload.example"))
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte("Subject: in flight\r\n\r\nMAIL FROM:<not a command, a line of the message>\r\n"))
	require.NoError(t, err)
	g.refuse(true)
	require.NoError(t, w.Close(), "the message under way is accepted")
	mp.WaitFor(t, `subject:"in flight"`, 1)

	err = c.Mail("fmn@fmnload.example")
	var perr *textproto.Error
	require.ErrorAs(t, err, &perr)
	require.Equal(t, 421, perr.Code, "the next command is refused")

	_, err = smtp.Dial(g.addr())
	require.ErrorAs(t, err, &perr)
	require.Equal(t, 421, perr.Code, "a new session is refused")

	g.refuse(false)
	c2, err := smtp.Dial(g.addr())
	require.NoError(t, err)
	require.NoError(t, c2.Mail("fmn@fmnload.example"))
	require.NoError(t, c2.Quit())
}
