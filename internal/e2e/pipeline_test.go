package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/internal/notify/sse"
	"fmn/internal/testkit/rabbittest"
)

// A message naming alice reaches alice's browser stream; bob, whose filter does not match, gets
// nothing.
func TestMessageReachesOnlyMatchingUsersStream(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	s.userWithFilter("alice", "@me")
	s.userWithFilter("bob", "nobody-else")
	s.waitWorkersCurrent()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.subscribe(ctx, "alice", "")
	s.userMessage("m-1", "alice", "carol")

	ev := next(t, alice)
	require.Equal(t, "m-1", messageID(t, ev))
	require.Equal(t, "notification", ev.Event)
	require.NotEmpty(t, ev.ID)
	// bob's notification, had there been one, was stored in the same pipeline as alice's.
	require.Zero(t, s.streamLen("bob"))
	require.EqualValues(t, 1, s.streamLen("alice"))
}

// Malformed bus messages end in the dead-letter queue with a reason; the pipeline goes on.
func TestMalformedMessagesAreDeadLettered(t *testing.T) {
	t.Parallel()
	s, alice := aliceListening(t)

	s.publishRaw(amqp.Publishing{MessageId: "bad-1", Body: []byte("this is not json")}, "org.fedoraproject.prod.x")
	s.publishRaw(amqp.Publishing{MessageId: "bad-2", Body: []byte(`{"big":"` + strings.Repeat("x", 70<<10) + `"}`)}, "org.fedoraproject.prod.x")
	s.publishRaw(amqp.Publishing{MessageId: "", Body: []byte(`{"no":"id"}`)}, "org.fedoraproject.prod.x")
	s.publishRaw(amqp.Publishing{MessageId: "bad-10mb", Body: bytes.Repeat([]byte("x"), 10<<20)}, "org.fedoraproject.prod.x")
	s.publishRaw(amqp.Publishing{MessageId: "bad-deep", Body: []byte(strings.Repeat("[", 10001) + strings.Repeat("]", 10001))},
		"org.fedoraproject.prod.x")
	s.userMessage("good-1", "alice")
	// Invalid UTF-8 and markup in a body are not malformed: the message is delivered, and what
	// reaches the browser is valid UTF-8 JSON (invalid bytes become U+FFFD).
	s.publish("good-utf8", "org.fedoraproject.prod.bodhi.update.comment",
		amqp.Table{"fedora_messaging_schema": "test", "fedora_messaging_user_alice": true},
		"{\"comment\":{\"text\":\"caf\xe9 \xff\xfe <script>alert(1)</script>\"}}")
	// Nor is a NUL in a string (the escape \u0000), which PostgreSQL's jsonb refuses: the
	// message is delivered, and archived with U+FFFD in its place (archive.Store.Write).
	s.publish("good-nul", "org.fedoraproject.prod.bodhi.update.comment",
		amqp.Table{"fedora_messaging_schema": "test", "fedora_messaging_user_alice": true},
		`{"comment":{"text":"nul \u0000 here"}}`)

	require.Equal(t, "good-1", messageID(t, next(t, alice)))
	ev := next(t, alice)
	require.Equal(t, "good-utf8", messageID(t, ev))
	require.True(t, utf8.ValidString(ev.Data), "the event is valid UTF-8: %q", ev.Data)
	s.waitArchived("good-utf8") // PostgreSQL's jsonb, which refuses invalid UTF-8, took it too
	require.Equal(t, "good-nul", messageID(t, next(t, alice)))
	s.waitArchived("good-nul")

	// The web app archives them; the admin API lists them with stage and reason.
	var letters []deadLetter
	require.Eventually(t, func() bool {
		letters = s.deadLetters("?stage=consumer")
		return len(letters) == 5
	}, waitFor, 20*time.Millisecond)
	reasons := map[string]string{}
	for _, l := range letters {
		require.Equal(t, "consumer", l.Stage)
		require.Equal(t, s.topo.BusExchange, l.OriginalExchange)
		require.Equal(t, "org.fedoraproject.prod.x", l.OriginalRoutingKey)
		reasons[l.MessageID] = l.Reason
	}
	require.Contains(t, reasons["bad-1"], "not valid JSON")
	require.Contains(t, reasons["bad-2"], "exceeds the limit")
	require.Contains(t, reasons[""], "no message id")
	require.Contains(t, reasons["bad-10mb"], "exceeds the limit")
	require.Contains(t, reasons["bad-deep"], "not valid JSON", "nesting past the decoder's depth limit")
}

// A worker stopped after publishing but before acking loses nothing: the message is redelivered
// to another worker and the user gets it once.
func TestWorkerStoppedBeforeAckLosesNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	s.startBackend(nil)
	g := newGate()
	w1 := s.startWorker(g.hook)
	s.startConsumer(nil)
	s.userWithFilter("alice", "@me")
	s.waitWorkersCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.subscribe(ctx, "alice", "")

	s.userMessage("w-1", "alice")
	<-g.reached
	w1.stop(t)
	s.startWorker(nil)
	s.waitWorkersCurrent()
	s.userMessage("w-2", "alice")

	require.Equal(t, "w-1", messageID(t, next(t, alice)))
	require.Equal(t, "w-2", messageID(t, next(t, alice)), "w-1 came once, then the next message")
	require.EqualValues(t, 2, s.streamLen("alice"))
}

// A consumer stopped after handing a message on but before acking it loses nothing and
// duplicates nothing.
func TestConsumerStoppedBeforeAckLosesNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	s.startBackend(nil)
	s.startWorker(nil)
	g := newGate()
	c1 := s.startConsumer(g.hook)
	s.userWithFilter("alice", "@me")
	s.waitWorkersCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.subscribe(ctx, "alice", "")

	s.userMessage("c-1", "alice")
	<-g.reached
	c1.stop(t)
	s.startConsumer(nil)
	s.userMessage("c-2", "alice")

	require.Equal(t, "c-1", messageID(t, next(t, alice)))
	require.Equal(t, "c-2", messageID(t, next(t, alice)), "c-1 came once, then the next message")
	require.EqualValues(t, 2, s.streamLen("alice"))
}

// A backend stopped after storing but before acking delivers once.
func TestBackendStoppedBeforeAckDeliversOnce(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	g := newGate()
	b1 := s.startBackend(g.hook)
	s.startWorker(nil)
	s.startConsumer(nil)
	s.userWithFilter("alice", "@me")
	s.waitWorkersCurrent()

	s.userMessage("b-1", "alice")
	<-g.reached
	b1.stop(t)
	s.startBackend(nil)
	s.userMessage("b-2", "alice")
	require.Eventually(t, func() bool { return s.streamLen("alice") >= 2 }, waitFor, 10*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.subscribe(ctx, "alice", "0-0")
	require.Equal(t, "b-1", messageID(t, next(t, alice)))
	require.Equal(t, "b-2", messageID(t, next(t, alice)))
	require.EqualValues(t, 2, s.streamLen("alice"))
}

// A browser that reconnects with Last-Event-ID gets exactly what it missed.
func TestReconnectWithLastEventIDGetsExactlyWhatWasMissed(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	s.userWithFilter("alice", "@me")
	s.waitWorkersCurrent()

	ctx1, cancel1 := context.WithCancel(context.Background())
	first := s.subscribe(ctx1, "alice", "")
	s.userMessage("r-1", "alice")
	ev1 := next(t, first)
	require.Equal(t, "r-1", messageID(t, ev1))
	cancel1()

	s.userMessage("r-2", "alice")
	s.userMessage("r-3", "alice")
	require.Eventually(t, func() bool { return s.streamLen("alice") == 3 }, waitFor, 10*time.Millisecond)

	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	again := s.subscribe(ctx2, "alice", ev1.ID)
	require.Equal(t, "r-2", messageID(t, next(t, again)))
	require.Equal(t, "r-3", messageID(t, next(t, again)))
	s.userMessage("r-4", "alice")
	require.Equal(t, "r-4", messageID(t, next(t, again)), "nothing repeated, nothing skipped, then live")
}

// Every process survives a broker restart without being restarted itself.
func TestBrokerRestartIsSurvived(t *testing.T) {
	url, restart := rabbittest.Restartable(t)
	s := newStack(t, url)
	procs := []*proc{s.startWeb(), s.startBackend(nil), s.startWorker(nil), s.startConsumer(nil)}
	s.userWithFilter("alice", "@me")
	s.waitWorkersCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.subscribe(ctx, "alice", "")
	s.userMessage("before", "alice")
	require.Equal(t, "before", messageID(t, next(t, alice)))

	restart()

	s.userMessage("after", "alice")
	require.Equal(t, "after", messageID(t, next(t, alice)), "the SSE stream lives on the backend, which kept running")
	// A preference change made after the restart still reaches the workers.
	s.userWithFilter("dave", "@me")
	s.waitWorkersCurrent()
	s.userMessage("for-dave", "dave")
	require.Eventually(t, func() bool { return s.streamLen("dave") == 1 }, waitFor, 10*time.Millisecond)
	for i, p := range procs {
		require.True(t, p.running(), "process %d stopped", i)
	}
}

// The bus may carry fedmsg-era envelopes (bridged or replayed from datagrepper); they are decoded
// and matched like fedora-messaging ones, and a message id seen twice is delivered once.
func TestFedmsgEnvelopesAndRepeatedIDs(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	s.userWithFilter("ralph", "@me")
	s.waitWorkersCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ralph := s.subscribe(ctx, "ralph", "")

	envelope := `{"topic":"org.fedoraproject.prod.fas.user.update","msg_id":"2014-fedmsg-1","timestamp":1400000000.5,` +
		`"msg":{"agent":"ralph","user":"ralph","fields":["ircnick"]}}`
	s.publishRaw(amqp.Publishing{Body: []byte(envelope)}, "org.fedoraproject.prod.fas.user.update")
	s.publishRaw(amqp.Publishing{Body: []byte(envelope)}, "org.fedoraproject.prod.fas.user.update")
	s.userMessage("after", "ralph")

	require.Equal(t, "2014-fedmsg-1", messageID(t, next(t, ralph)))
	require.Equal(t, "after", messageID(t, next(t, ralph)), "the repeated id was dropped")
}

// A dist-git ACL event on the bus makes its user an owner; the owner's default "artifacts I own"
// filter then matches the package's next build.
func TestOwnershipFollowsBusEvents(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": "alice"}, nil))
	s.waitWorkersCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := s.subscribe(ctx, "alice", "")

	s.publish("acl-1", "org.fedoraproject.prod.pagure.project.user.added", nil,
		`{"project":{"name":"python-foo","namespace":"rpms","fullname":"rpms/python-foo","parent":null},"new_user":"alice","access":"commit","agent":"bob"}`)
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, s.pool.QueryRow(ctx, `SELECT count(*) FROM artifact_owners WHERE artifact_name = 'python-foo' AND owner = 'alice'`).Scan(&n))
		return n == 1
	}, waitFor, 10*time.Millisecond, "the consumer applied the ACL event")
	s.waitWorkersCurrent()

	s.publish("build-1", "org.fedoraproject.prod.buildsys.build.state.change",
		amqp.Table{"fedora_messaging_schema": "koji", "fedora_messaging_rpm_python-foo": true, "fedora_messaging_user_carol": true},
		`{"name":"python-foo","owner":"carol","new":1}`)
	// The ACL message names alice too, so her "events about me" filter may have sent it first.
	ev := next(t, alice)
	if messageID(t, ev) == "acl-1" {
		ev = next(t, alice)
	}
	require.Equal(t, "build-1", messageID(t, ev), "her new package's build reached her")
}

// A producer that names people by e-mail address reaches the account whose confirmed destination
// has that address (real bugzilla message from the corpus; its cc list holds the address).
func TestConfirmedAddressesAreIdentityAliases(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startAll()
	recs, err := corpus.LoadDefault()
	require.NoError(t, err)
	var bug *corpus.Record
	for i := range recs {
		if strings.HasSuffix(recs[i].Topic, "bugzilla.bug.update") && strings.Contains(string(recs[i].Body), "puiterwijk@gmail.com") {
			bug = &recs[i]
			break
		}
	}
	require.NotNil(t, bug, "the corpus has the bugzilla message")

	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": "pat"}, nil))
	var d struct{ ID int64 }
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users/pat/destinations",
		map[string]string{"kind": "email", "address": "Puiterwijk@gmail.com"}, &d))
	require.Equal(t, http.StatusNoContent, s.api("POST", fmt.Sprintf("/api/v1/users/pat/destinations/%d/confirm", d.ID), nil, nil))
	s.waitWorkersCurrent()

	// The consumer rereads aliases every 50 ms here; publish until one copy arrives after that.
	i := 0
	require.Eventually(t, func() bool {
		i++
		s.publish(fmt.Sprintf("bz-%d", i), bug.Topic, nil, string(bug.Body))
		return s.streamLen("pat") > 0
	}, waitFor, 200*time.Millisecond, "pat's default filter (events about me) matched through the alias")
}

// With two backend replicas, a browser on either gets every event, whichever replica stored it.
func TestEitherBackendReplicaServesEveryEvent(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()
	s.startBackend(nil)
	first := s.backendURL
	s.startBackend(nil)
	second := s.backendURL
	s.startWorker(nil)
	s.startConsumer(nil)
	s.userWithFilter("alice", "@me")
	s.waitWorkersCurrent()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.backendURL = first
	onFirst := s.subscribe(ctx, "alice", "")
	s.backendURL = second
	onSecond := s.subscribe(ctx, "alice", "")
	const n = 6
	for i := range n {
		s.userMessage(fmt.Sprintf("rep-%d", i), "alice")
	}
	for _, ch := range []<-chan sse.ClientEvent{onFirst, onSecond} {
		got := map[string]bool{}
		for range n {
			got[messageID(t, next(t, ch))] = true
		}
		require.Len(t, got, n, "each replica's client got all %d events once", n)
	}
}
