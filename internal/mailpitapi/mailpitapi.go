// Package mailpitapi reads a mailpit's HTTP API (the development and test mail server): searching
// messages and reading one. The tests' mailtest, devtools (whether a mailpit is up), fmnctl
// demo-check and the load tool's email sink use it.
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

// Summary is one message in a list or search result.
type Summary struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Created   time.Time `json:"Created"`
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

// Client reads the API at URL (e.g. http://127.0.0.1:8025).
type Client struct {
	URL string
	// HTTP makes the requests; nil: http.DefaultClient.
	HTTP *http.Client
}

// Ping asks for one message, to see whether the API answers.
func (c Client) Ping(ctx context.Context) error {
	return c.getJSON(ctx, "/api/v1/messages?limit=1", nil)
}

// Search returns the messages matching a mailpit search query (e.g. `to:"a@example.org"`),
// newest first.
func (c Client) Search(ctx context.Context, query string) ([]Summary, error) {
	var res struct {
		Messages []Summary `json:"messages"`
	}
	if err := c.getJSON(ctx, "/api/v1/search?query="+url.QueryEscape(query), &res); err != nil {
		return nil, err
	}
	return res.Messages, nil
}

// Page is a page of the message list, newest first, with the number of messages held.
type Page struct {
	Total    int       `json:"total"`
	Messages []Summary `json:"messages"`
}

// Messages returns limit messages of the list from start (0: the newest).
func (c Client) Messages(ctx context.Context, start, limit int) (Page, error) {
	var p Page
	err := c.getJSON(ctx, fmt.Sprintf("/api/v1/messages?start=%d&limit=%d", start, limit), &p)
	return p, err
}

// Message returns a message, parsed.
func (c Client) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	err := c.getJSON(ctx, "/api/v1/message/"+url.PathEscape(id), &m)
	return m, err
}

// Headers returns a message's headers, by canonical name.
func (c Client) Headers(ctx context.Context, id string) (map[string][]string, error) {
	var h map[string][]string
	err := c.getJSON(ctx, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h, err
}

// getJSON requests path of the API and decodes its JSON answer into v (nil: only the status
// is checked).
func (c Client) getJSON(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+path, nil)
	if err != nil {
		return fmt.Errorf("mailpit request: %w", err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
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
