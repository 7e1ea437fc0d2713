package loadtest

import (
	"fmt"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/corpus"
	"fmn/internal/notify/irc"
	"fmn/internal/population"
	"fmn/internal/wire"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// template is one corpus message made to speak about the population: the real body and topic,
// with fedora-messaging headers naming the population's users, groups and packages (headers are
// the authority for those, so the consumer extracts exactly them).
type template struct {
	topic   string
	headers map[string]any
	body    []byte
}

// templates maps every decodable corpus record onto p.
func templates(recs []corpus.Record, p *population.Population) []template {
	msgs, _ := population.CorpusMessages(recs)
	byID := make(map[string]*corpus.Record, len(recs))
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
	}
	out := make([]template, 0, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		rec := byID[m.ID]
		if rec == nil {
			continue
		}
		p.MapMessage(m)
		h := map[string]any{}
		for k, v := range rec.AMQP().Headers {
			if !strings.HasPrefix(k, "fedora_messaging_") || k == "fedora_messaging_schema" || k == "fedora_messaging_severity" {
				h[k] = v
			}
		}
		for _, u := range m.Usernames {
			h["fedora_messaging_user_"+u] = true
		}
		for _, g := range m.Groups {
			h["fedora_messaging_group_"+g] = true
		}
		for _, a := range m.Artifacts {
			h["fedora_messaging_"+string(a.Type)+"_"+a.Name] = true
		}
		out = append(out, template{topic: rec.Topic, headers: h, body: rec.Body})
	}
	return out
}

// message is one bus message of a phase, with the notifications fmn must deliver for it.
type busMessage struct {
	pub      amqp.Publishing
	key      string
	expected []string // notification ids (SSE), from the same extraction and matcher as fmn's
}

// traffic is the messages of one phase.
type traffic struct {
	msgs []busMessage
	// expected is the number of notifications the phase must deliver; ids maps a notification
	// id to its message's index in msgs.
	expected int
	ids      map[string]int
	// perUser counts each user's expected notifications.
	perUser map[string]int
	// mail holds the email notifications' ids; irc the lines the nicks must receive, counted by
	// ircKey. Both stay empty unless the population has email and IRC destinations (fault runs).
	mail map[string]bool
	irc  map[string]int
	// ledger holds the ids of every email and IRC notification: the delivery ledger's rows.
	ledger map[string]bool
	// ircLines is the number of lines in irc.
	ircLines int
	// payloadBytes is the mean body size, for the transport ceiling.
	payloadBytes int
}

// makeTraffic builds n messages cycling through ts, with ids unique to the phase, and computes
// what must be delivered for each: the consumer's decoding and extraction, then a matcher
// compiled from the preferences as stored (what workers load). With a nil matcher it computes
// nothing (the transport ceiling's traffic).
func makeTraffic(ts []template, n int, phase string, snap *prefs.Snapshot, m *rules.Matcher, now time.Time) (*traffic, error) {
	tr := &traffic{msgs: make([]busMessage, n), ids: map[string]int{}, perUser: map[string]int{},
		mail: map[string]bool{}, irc: map[string]int{}, ledger: map[string]bool{}}
	var bytes int
	sentAt := now.UTC().Format(time.RFC3339)
	for i := range n {
		t := &ts[i%len(ts)]
		h := make(amqp.Table, len(t.headers)+1)
		for k, v := range t.headers {
			h[k] = v
		}
		h["sent-at"] = sentAt
		id := fmt.Sprintf("%s-%07d", phase, i)
		mm := &tr.msgs[i]
		mm.key = t.topic
		mm.pub = amqp.Publishing{MessageId: id, ContentType: "application/json", Headers: h,
			DeliveryMode: amqp.Persistent, Body: t.body}
		bytes += len(t.body)
		if m == nil {
			continue
		}
		msg, err := message.DecodeAMQP(message.AMQP{RoutingKey: t.topic, MessageID: id, Headers: h, Body: t.body}, 0)
		if err != nil {
			return nil, fmt.Errorf("message %s does not decode: %w", id, err)
		}
		message.Extract(&msg, nil)
		for _, mt := range m.Match(&msg, now) {
			d, ok := snap.Destinations[mt.Destination]
			if !ok {
				continue
			}
			nid := wire.NotificationID(id, mt.User, d.ID)
			switch d.Kind {
			case prefs.KindEmail:
				tr.mail[nid], tr.ledger[nid] = true, true
				continue
			case prefs.KindIRC:
				// The line the bot sends: the backend renders the worker's notification, whose
				// fields are the message's.
				line := irc.Render(wire.Notification{Topic: msg.Topic, App: msg.App, Summary: msg.Summary, URL: msg.URL, SentAt: msg.SentAt},
					now, ircLateAfter, irc.TextBudget(botNick, d.Address))
				tr.irc[ircKey(d.Address, line)]++
				tr.ircLines++
				tr.ledger[nid] = true
				continue
			}
			mm.expected = append(mm.expected, nid)
			tr.ids[nid] = i
			tr.perUser[mt.User]++
		}
		tr.expected += len(mm.expected)
	}
	if n > 0 {
		tr.payloadBytes = bytes / n
	}
	return tr, nil
}
