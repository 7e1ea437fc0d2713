package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/irctest"
	"fmn/internal/testkit/rabbittest"
)

// userWithIRC creates a user with a confirmed IRC destination (nick) and a filter sending
// messages that involve the user there.
func (s *stack) userWithIRC(name, nick string) {
	s.t.Helper()
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": name}, nil))
	var dest struct {
		ID int64 `json:"id"`
	}
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users/"+name+"/destinations",
		map[string]string{"kind": "irc", "address": nick}, &dest))
	require.Equal(s.t, http.StatusNoContent, s.api("POST", "/api/v1/users/"+name+"/destinations/"+strconv.FormatInt(dest.ID, 10)+"/confirm", nil, nil))
	require.Equal(s.t, http.StatusCreated, s.api("POST", "/api/v1/users/"+name+"/filters", map[string]any{
		"name": "irc me", "destinations": []int64{dest.ID},
		"conditions": []map[string]any{{"field": "user", "op": "in", "values": []string{"@me"}}},
	}, nil))
}

// readyz returns the status of a backend's /readyz.
func readyz(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// A bus message naming alice reaches her nick from the bot of one of two backends; only that
// backend's bot is connected (a second one would have had to take another nick); when it stops, the
// other backend takes over the bot and the next message arrives from it.
func TestIRCOneBotAcrossBackendsWithFailover(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.irc = irctest.Start(t)
	alice := s.irc.Connect(t, "alice")
	s.startWeb()
	first := s.startBackend(nil)
	firstURL := s.backendURL
	s.startBackend(nil)
	secondURL := s.backendURL
	s.startWorker(nil)
	s.startConsumer(nil)
	s.userWithIRC("alice", "alice")
	s.waitWorkersCurrent()

	s.userMessage("irc-1", "alice", "bob")
	got := alice.WaitLines(t, "fmnbot", 1)
	require.Equal(t, "PRIVMSG", got[0].Command)
	require.True(t, strings.HasPrefix(got[0].Text, "["), got[0].Text)
	require.Equal(t, http.StatusOK, readyz(t, firstURL))
	require.Equal(t, http.StatusOK, readyz(t, secondURL), "a standby replica is ready")

	first.stop(t)
	s.userMessage("irc-2", "alice")
	got = alice.WaitLines(t, "fmnbot", 2)
	require.Len(t, got, 2, "each notification once")
	for _, l := range alice.Lines() {
		require.Equal(t, "fmnbot", l.From, "only one bot was ever connected (a second would be fmnbot_)")
	}
}

// A backend stopped after its bot sent a notification but before acking it: the redelivery goes
// to the next backend, whose ledger check drops it, so the nick gets it once.
func TestIRCBackendStoppedBeforeAckDeliversOnce(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.irc = irctest.Start(t)
	alice := s.irc.Connect(t, "alice")
	s.startWeb()
	g := newGate()
	b1 := s.startBackend(g.hook)
	s.startWorker(nil)
	s.startConsumer(nil)
	s.userWithIRC("alice", "alice")
	s.waitWorkersCurrent()

	users := amqp.Table{"fedora_messaging_schema": "test", "fedora_messaging_user_alice": true}
	s.publish("irc-a", "org.fedoraproject.prod.bodhi.update.comment", users, `{"comment":{"text":"first"}}`)
	<-g.reached
	b1.stop(t)
	s.startBackend(nil)
	s.publish("irc-b", "org.fedoraproject.prod.buildsys.build.state.change", users, `{"name":"x","new":1}`)

	got := alice.WaitLines(t, "fmnbot", 2)
	require.True(t, strings.HasPrefix(got[0].Text, "[bodhi]"), got[0].Text)
	require.True(t, strings.HasPrefix(got[1].Text, "[koji]"), "the second line is the next message, not a repeat: %q", got[1].Text)
}
