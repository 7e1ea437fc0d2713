// Package mailpitapi reads a mailpit's HTTP API (the development and test mail server): searching
// messages and reading one. The tests' mailtest and fmnctl demo-check use it.
package mailpitapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Address is a mailbox in mailpit's API.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is one message in a search result.
type Summary struct {
	ID      string    `json:"ID"`
	From    Address   `json:"From"`
	To      []Address `json:"To"`
	Subject string    `json:"Subject"`
	Created time.Time `json:"Created"`
}

// Message is one parsed message.
type Message struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
}

// Client reads the API at URL (e.g. http://127.0.0.1:8025) with http.DefaultClient.
type Client struct {
	URL string
}

// Ping asks for one message, to see whether the API answers.
func (c Client) Ping(ctx context.Context) error {
	return c.GetJSON(ctx, "/api/v1/messages?limit=1", nil)
}

// Search returns the messages matching a mailpit search query (e.g. `to:"a@example.org"`),
// newest first.
func (c Client) Search(ctx context.Context, query string) ([]Summary, error) {
	var res struct {
		Messages []Summary `json:"messages"`
	}
	if err := c.GetJSON(ctx, "/api/v1/search?query="+url.QueryEscape(query), &res); err != nil {
		return nil, err
	}
	return res.Messages, nil
}

// Message returns a message, parsed.
func (c Client) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	err := c.GetJSON(ctx, "/api/v1/message/"+url.PathEscape(id), &m)
	return m, err
}

// Headers returns a message's headers, by canonical name.
func (c Client) Headers(ctx context.Context, id string) (map[string][]string, error) {
	var h map[string][]string
	err := c.GetJSON(ctx, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h, err
}

// GetJSON requests path of the API and decodes its JSON answer into v (nil: only the status
// is checked).
func (c Client) GetJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+path, nil)
	if err != nil {
		return fmt.Errorf("mailpit request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("mailpit GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("mailpit GET %s: %s", path, resp.Status)
	}
	if v == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("mailpit GET %s: decode: %w", path, err)
	}
	return nil
}
