package queuestatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// queueColumns are the fields asked of GET /api/queues/{vhost}; the API leaves out the rest, which
// keeps the answer small on a broker with many queues.
const queueColumns = "name,messages_ready,messages_unacknowledged,consumers," +
	"message_stats.publish_details.rate,message_stats.deliver_get_details.rate,message_stats.ack_details.rate"

// apiQueue is one element of GET /api/queues/{vhost}. A queue without traffic yet has no
// message_stats; one created moments ago may lack the counts too. Both read as zero.
type apiQueue struct {
	Name         string `json:"name"`
	Ready        int    `json:"messages_ready"`
	Unacked      int    `json:"messages_unacknowledged"`
	Consumers    int    `json:"consumers"`
	MessageStats struct {
		Publish    apiRate `json:"publish_details"`
		DeliverGet apiRate `json:"deliver_get_details"`
		Ack        apiRate `json:"ack_details"`
	} `json:"message_stats"`
}

type apiRate struct {
	Rate float64 `json:"rate"`
}

// apiBinding is one element of GET /api/exchanges/{vhost}/{name}/bindings/source.
type apiBinding struct {
	Destination     string `json:"destination"`
	DestinationType string `json:"destination_type"`
}

// fromAPI lists the vhost's queues and the queues bound to the prefs exchange (one per running
// worker), and returns the topology's queues followed by the prefs queues.
func (s *Sampler) fromAPI(ctx context.Context) ([]Queue, error) {
	vhost := url.PathEscape(s.cfg.Vhost)
	var listed []apiQueue
	if err := s.get(ctx, "/api/queues/"+vhost, url.Values{"columns": {queueColumns}}, &listed); err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	var bindings []apiBinding
	err := s.get(ctx, "/api/exchanges/"+vhost+"/"+url.PathEscape(s.top.PrefsExchange)+"/bindings/source",
		url.Values{"columns": {"destination,destination_type"}}, &bindings)
	var se *statusError
	if errors.As(err, &se) && se.code == http.StatusNotFound {
		err = nil // no prefs exchange yet: no workers either
	}
	if err != nil {
		return nil, fmt.Errorf("list prefs queues: %w", err)
	}

	byName := make(map[string]apiQueue, len(listed))
	for _, q := range listed {
		byName[q.Name] = q
	}
	names := s.top.Queues()
	out := make([]Queue, 0, len(names)+len(bindings))
	for _, name := range names {
		q := s.topologyQueue(name, SourceManagement)
		if a, ok := byName[name]; ok {
			fill(&q, a)
		} else {
			q.Missing = true
		}
		out = append(out, q)
	}
	prefs := make(map[string]bool)
	for _, b := range bindings {
		if b.DestinationType == "queue" {
			prefs[b.Destination] = true
		}
	}
	for _, name := range sortedNames(prefs) {
		a, ok := byName[name]
		if !ok {
			continue // bound after the listing; the next poll shows it
		}
		q := Queue{Name: name, Role: RolePrefs, Source: SourceManagement}
		fill(&q, a)
		out = append(out, q)
	}
	return out, nil
}

func fill(q *Queue, a apiQueue) {
	q.Ready, q.Unacked, q.Consumers = a.Ready, a.Unacked, a.Consumers
	q.PublishRate = a.MessageStats.Publish.Rate
	q.DeliverRate = a.MessageStats.DeliverGet.Rate
	q.AckRate = a.MessageStats.Ack.Rate
}

// statusError is an API answer other than 200.
type statusError struct {
	code int
	body string // the start of the answer, for the operator
}

func (e *statusError) Error() string {
	if e.body == "" {
		return fmt.Sprintf("status %d", e.code)
	}
	return fmt.Sprintf("status %d: %s", e.code, e.body)
}

// get calls the API at path (already escaped) and decodes its JSON answer into v. The request
// URL carries no credentials (they go in the Authorization header), so no error can quote them.
func (s *Sampler) get(ctx context.Context, path string, query url.Values, v any) error {
	u := s.api.base.String() + path + "?" + query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if s.api.user != "" || s.api.pass != "" {
		req.SetBasicAuth(s.api.user, s.api.pass)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err // the op and URL again; the path is named by the caller
		}
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return &statusError{code: resp.StatusCode, body: strings.ToValidUTF8(strings.TrimSpace(string(b)), "?")}
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAPIBody)).Decode(v); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
