// Package confirm sends destination confirmations (DESIGN.md §6) through the delivery pipeline:
// a confirmation begun by pgstore.Store.BeginConfirmation becomes one notification of kind
// wire.KindConfirmation, published like a worker's notifications on the notifications exchange
// with the destination's channel as routing key. The backend delivers it with its retries, dead
// letters and ledger, although the destination is not confirmed, and never in a digest: the email
// carries the link <base URL>/confirm/<secret>, the IRC line the code.
// A Starter begins a confirmation in the store and sends it: what the web app's API and pages do.
package confirm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"fmn/internal/rabbit"
	"fmn/internal/wire"
	"fmn/pkg/prefs"
)

// Topic is the topic of confirmation notifications (they come from no bus message).
const Topic = "fmn.confirmation"

// Publisher publishes with publisher confirms; *rabbit.Publisher is one.
type Publisher interface {
	Publish(ctx context.Context, msgs ...rabbit.Outgoing) error
}

// Sender publishes confirmations. It is safe for concurrent use if its Publisher is.
type Sender struct {
	pub  Publisher
	topo rabbit.Topology
	base string
	now  func() time.Time
}

// NewSender returns a Sender publishing with pub on topo's notifications exchange. baseURL is the
// web app's public http(s) URL: email links are baseURL + "/confirm/" + secret. now stamps the
// notifications (nil: time.Now).
func NewSender(pub Publisher, topo rabbit.Topology, baseURL string, now func() time.Time) (*Sender, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("confirmation base url %q: must be the web app's http(s) base URL", baseURL)
	}
	if topo.NotificationsExchange == "" {
		return nil, errors.New("confirmation sender: the topology has no notifications exchange")
	}
	if now == nil {
		now = time.Now
	}
	return &Sender{pub: pub, topo: topo, base: strings.TrimRight(baseURL, "/"), now: now}, nil
}

// URL is the confirmation link of an email secret: what the web app serves as GET
// /confirm/{secret} (a page whose button POSTs; a GET never confirms, mail scanners fetch links).
func (s *Sender) URL(secret string) string { return s.base + "/confirm/" + url.PathEscape(secret) }

// Send publishes c, a confirmation of d (user u's destination), and returns once the broker has
// it. Each call is a new notification (its id is random), so a resend is not taken for a
// duplicate by the delivery ledger.
func (s *Sender) Send(ctx context.Context, u prefs.User, d prefs.Destination, c prefs.Confirmation) error {
	n, err := s.Notification(u, d, c)
	if err != nil {
		return err
	}
	body, err := wire.Encode(&wire.NotificationBatch{Channel: d.Kind, Notifications: []wire.Notification{n}})
	if err != nil {
		return fmt.Errorf("send confirmation: %w", err)
	}
	out := rabbit.Outgoing{Exchange: s.topo.NotificationsExchange, Key: d.Kind, Msg: amqp.Publishing{
		ContentType: wire.ContentType, Type: wire.TypeNotifications, MessageId: n.ID, Timestamp: n.MatchedAt, Body: body,
	}}
	if err := s.pub.Publish(ctx, out); err != nil {
		return fmt.Errorf("send confirmation of destination %d: %w", d.ID, err)
	}
	return nil
}

// Notification is the notification Send publishes for c; it checks that c, d and u belong
// together.
func (s *Sender) Notification(u prefs.User, d prefs.Destination, c prefs.Confirmation) (wire.Notification, error) {
	if d.UserID != u.ID || c.DestinationID != d.ID || c.Kind != d.Kind || c.Address != d.Address {
		return wire.Notification{}, fmt.Errorf("send confirmation of destination %d: confirmation, destination and user do not belong together", d.ID)
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails
	msgID := "confirm:" + hex.EncodeToString(nonce)
	n := wire.Notification{
		ID:          wire.NotificationID(msgID, u.Name, d.ID),
		Kind:        wire.KindConfirmation,
		MessageID:   msgID,
		User:        u.Name,
		Destination: wire.Destination{ID: d.ID, Kind: d.Kind, Address: d.Address, Format: d.Format},
		Topic:       Topic,
		App:         "fmn",
		Summary:     "Confirm fmn notifications to " + d.Address,
		MatchedAt:   s.now().UTC(),
	}
	switch {
	case d.Kind == prefs.KindEmail && c.Secret != "":
		n.ConfirmURL = s.URL(c.Secret)
	case d.Kind == prefs.KindIRC && c.Code != "":
		n.ConfirmCode = c.Code
	default:
		return wire.Notification{}, fmt.Errorf("send confirmation of destination %d: %w", d.ID, prefs.ErrNothingToConfirm)
	}
	return n, nil
}
