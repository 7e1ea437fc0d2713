package sse

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ClientEvent is one event as a client parsed it.
type ClientEvent struct {
	ID    string
	Event string
	Data  string
}

// maxClientLine bounds one line a client accepts.
const maxClientLine = 1 << 20

// Parse reads an event stream and calls fn for every complete event until the stream ends, fn
// fails, or a line is malformed. Comments (heartbeats) and retry fields are skipped.
func Parse(r io.Reader, fn func(ClientEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxClientLine)
	var ev ClientEvent
	var data []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(data) > 0 || ev.ID != "" {
				ev.Data = strings.Join(data, "\n")
				if err := fn(ev); err != nil {
					return err
				}
			}
			ev, data = ClientEvent{}, nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID = value
		case "event":
			ev.Event = value
		case "data":
			data = append(data, value)
		case "retry":
		default:
			return fmt.Errorf("sse: unknown field %q", field)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sse: read stream: %w", err)
	}
	return nil
}

// Subscribe opens url (a /stream URL with its token) with an optional Last-Event-ID and sends
// every event to the returned channel until ctx ends or the stream closes; the channel is then
// closed. A non-200 answer is returned as an error with the status code.
func Subscribe(ctx context.Context, url, lastEventID string) (<-chan ClientEvent, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("sse request: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sse connect: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &StatusError{Code: resp.StatusCode}
	}
	out := make(chan ClientEvent, 256)
	go relay(ctx, resp.Body, out)
	return out, nil
}

// relay parses the stream body into out until ctx ends or the stream closes, then closes both.
func relay(ctx context.Context, body io.ReadCloser, out chan<- ClientEvent) {
	defer close(out)
	defer body.Close()
	_ = Parse(body, func(ev ClientEvent) error {
		select {
		case out <- ev:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

// StatusError is a refused stream.
type StatusError struct {
	Code int
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("sse: stream refused with status %d", e.Code)
}
