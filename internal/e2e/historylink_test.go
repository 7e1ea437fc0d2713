package e2e

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
)

// A message whose producer names no page (an unknown application here) reaches alice with a
// sentence better than its topic's words and a link to its entry in the message history, which
// answers with the message.
func TestUnknownTopicsLinkToTheHistory(t *testing.T) {
	t.Parallel()
	s, events := aliceListening(t)
	h := amqp.Table{"fedora_messaging_user_alice": true, "sent-at": time.Now().UTC().Format(time.RFC3339)}
	s.publish("history-1", "org.fedoraproject.prod.newthing.widget.frobbed", h, `{"agent":"bob","title":"The big one"}`)
	ev := next(t, events)
	var p struct {
		Summary string `json:"summary"`
		URL     string `json:"url"`
	}
	require.NoError(t, json.Unmarshal([]byte(ev.Data), &p))
	require.Equal(t, `newthing: widget frobbed by bob: "The big one"`, p.Summary)
	require.Equal(t, s.webURL+"/api/v1/messages/history-1", p.URL)
	s.waitArchived("history-1")
	resp := s.request(http.MethodGet, "/api/v1/messages/history-1", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
