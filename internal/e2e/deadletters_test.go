package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/internal/deadletter/letter"
	"fmn/internal/testkit/rabbittest"
)

// deadLetter is a dead letter as the admin API shows it.
type deadLetter struct {
	ID                 int64           `json:"id"`
	Stage              string          `json:"stage"`
	Reason             string          `json:"reason"`
	OriginalExchange   string          `json:"original_exchange"`
	OriginalRoutingKey string          `json:"original_routing_key"`
	MessageID          string          `json:"message_id"`
	Size               int             `json:"size"`
	Truncated          bool            `json:"truncated"`
	RedrivenAt         *time.Time      `json:"redriven_at"`
	RedriveCount       int             `json:"redrive_count"`
	Headers            map[string]any  `json:"headers"`
	Body               json.RawMessage `json:"body"`
	BodyBase64         []byte          `json:"body_base64"`
}

// deadLetters lists archived dead letters (one page) through the admin API.
func (s *stack) deadLetters(query string) []deadLetter {
	s.t.Helper()
	var out struct {
		DeadLetters []deadLetter `json:"dead_letters"`
	}
	require.Equal(s.t, http.StatusOK, s.api("GET", "/api/v1/admin/dead-letters"+query, nil, &out))
	return out.DeadLetters
}

// waitDeadLetter waits until the dead letter with message id is archived and returns it.
func (s *stack) waitDeadLetter(id string) deadLetter {
	s.t.Helper()
	var found deadLetter
	require.Eventually(s.t, func() bool {
		for _, l := range s.deadLetters("") {
			if l.MessageID == id {
				found = l
				return true
			}
		}
		return false
	}, waitFor, 20*time.Millisecond, "dead letter %s never archived", id)
	return found
}

// deadLetterAsStage publishes msg to the dead-letter exchange with the headers a stage adds, as
// if that stage had refused it when it came from exchange with key.
func (s *stack) deadLetterAsStage(msg amqp.Publishing, stage, reason, exchange, key string) {
	s.t.Helper()
	if msg.Headers == nil {
		msg.Headers = amqp.Table{}
	}
	msg.Headers[letter.HeaderStage] = stage
	msg.Headers[letter.HeaderReason] = reason
	msg.Headers[letter.HeaderOriginalExchange] = exchange
	msg.Headers[letter.HeaderOriginalRoutingKey] = key
	msg.Headers[letter.HeaderDeadAt] = time.Now().UTC().Format(time.RFC3339Nano)
	conn, err := amqp.Dial(s.amqpURL)
	require.NoError(s.t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(s.t, err)
	require.NoError(s.t, ch.Confirm(false))
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, s.topo.DeadLetterExchange, key, false, false, msg)
	require.NoError(s.t, err)
	ok, err := dc.WaitContext(ctx)
	require.NoError(s.t, err)
	require.True(s.t, ok, "broker nacked the dead letter")
}

// A well-formed message that a stage dead-lettered (say, during an outage) is archived, shown
// with its JSON body, and re-driven to the bus: the user's stream gets it. Deleting it works once.
func TestDeadLetterIsRedrivenToTheUser(t *testing.T) {
	t.Parallel()
	s, alice := aliceListening(t)

	const topic = "org.fedoraproject.prod.bodhi.update.comment"
	s.deadLetterAsStage(amqp.Publishing{
		MessageId: "redrive-1", ContentType: "application/json", DeliveryMode: amqp.Persistent,
		Headers: amqp.Table{"fedora_messaging_schema": "test", "fedora_messaging_severity": int32(20),
			"sent-at": time.Now().UTC().Format(time.RFC3339), "fedora_messaging_user_alice": true},
		Body: []byte(`{"comment":{"text":"redriven"}}`),
	}, "consumer", "archive unavailable", s.topo.BusExchange, topic)

	l := s.waitDeadLetter("redrive-1")
	require.Equal(t, "consumer", l.Stage)
	require.Equal(t, "archive unavailable", l.Reason)
	require.Equal(t, topic, l.OriginalRoutingKey)
	require.Nil(t, l.Body, "the list carries no bodies")

	var shown deadLetter
	path := "/api/v1/admin/dead-letters/" + itoa(l.ID)
	require.Equal(t, http.StatusOK, s.api("GET", path, nil, &shown))
	require.JSONEq(t, `{"comment":{"text":"redriven"}}`, string(shown.Body))
	require.Equal(t, true, shown.Headers["fedora_messaging_user_alice"])
	require.Zero(t, shown.RedriveCount)

	var redriven deadLetter
	require.Equal(t, http.StatusOK, s.api("POST", path+"/redrive", nil, &redriven))
	require.Equal(t, 1, redriven.RedriveCount)
	require.NotNil(t, redriven.RedrivenAt)
	require.Equal(t, "redrive-1", messageID(t, next(t, alice)))

	// The list shows it re-driven.
	require.Equal(t, 1, s.waitDeadLetter("redrive-1").RedriveCount)

	require.Equal(t, http.StatusNoContent, s.api("DELETE", path, nil, nil))
	require.Equal(t, http.StatusNotFound, s.api("GET", path, nil, nil))
	require.Equal(t, http.StatusNotFound, s.api("DELETE", path, nil, nil))
	require.Equal(t, http.StatusNotFound, s.api("POST", path+"/redrive", nil, nil))
}

// The dead-letter API needs the admin token, names the parameter it refuses, and refuses to
// re-drive to a destination that is not fmn's.
func TestDeadLetterAPIRefusals(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	s.startWeb()

	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/admin/dead-letters"},
		{"GET", "/api/v1/admin/dead-letters/1"},
		{"POST", "/api/v1/admin/dead-letters/1/redrive"},
		{"DELETE", "/api/v1/admin/dead-letters/1"},
	} {
		req, err := http.NewRequest(r.method, s.webURL+r.path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s %s", r.method, r.path)
	}

	for query, param := range map[string]string{
		"?per_page=0":                       "per_page",
		"?per_page=101":                     "per_page",
		"?per_page=x":                       "per_page",
		"?since=today":                      "since",
		"?cursor=-3":                        "cursor",
		"?stage=" + strings.Repeat("s", 65): "stage",
	} {
		status, msg := s.apiError("GET", "/api/v1/admin/dead-letters"+query)
		require.Equal(t, http.StatusBadRequest, status, query)
		require.Contains(t, msg, param, query)
	}
	for _, p := range []string{"/api/v1/admin/dead-letters/abc", "/api/v1/admin/dead-letters/0"} {
		status, msg := s.apiError("GET", p)
		require.Equal(t, http.StatusBadRequest, status, p)
		require.Contains(t, msg, "id", p)
	}
	status, _ := s.apiError("GET", "/api/v1/admin/dead-letters/999999")
	require.Equal(t, http.StatusNotFound, status)

	// Not fmn's exchange: archived, but never re-driven there.
	s.deadLetterAsStage(amqp.Publishing{MessageId: "elsewhere-1", Body: []byte("x")}, "worker", "boom", "some.other.exchange", "k")
	l := s.waitDeadLetter("elsewhere-1")
	require.Empty(t, l.BodyBase64, "the list carries no bodies")
	var shown deadLetter
	require.Equal(t, http.StatusOK, s.api("GET", "/api/v1/admin/dead-letters/"+itoa(l.ID), nil, &shown))
	require.Equal(t, []byte("x"), shown.BodyBase64, "a body that is not JSON is shown in base64")
	require.Nil(t, shown.Body)
	status, msg := s.apiError("POST", "/api/v1/admin/dead-letters/"+itoa(l.ID)+"/redrive")
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, msg, "not one of fmn's")
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// apiError calls the web API with the admin token and returns the status and error text.
func (s *stack) apiError(method, path string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.webURL+path, nil)
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return resp.StatusCode, e.Error
}
