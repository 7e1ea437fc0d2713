// Package wire defines what fmn's processes send each other over RabbitMQ: work items (consumer →
// worker) and notification batches (worker → backend). Both are versioned and carry batches, so a
// hop can amortise the broker's per-message cost (DESIGN.md §1).
package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"fmn/pkg/message"
	"fmn/pkg/prefs"
)

// Version is the wire version of work items and preference changes this build writes and reads.
const Version = 1

// NotificationsVersion is the wire version of notification batches this build writes. It reads
// it and version 1, where every notification carries its message's fields itself; version 2
// carries them once per message in the batch's Subjects. Deploy backends before the workers and
// web apps that write version 2.
const NotificationsVersion = 2

// ContentType is set on every AMQP message fmn publishes between its processes.
const ContentType = "application/vnd.fmn+json"

// AMQP message types (the AMQP "type" property).
const (
	TypeWork          = "fmn.work.v1"
	TypeNotifications = "fmn.notifications.v1"
	TypePrefsChange   = "fmn.prefs.v1"
)

// WorkItem carries one or more normalised bus messages from the consumer to a worker.
type WorkItem struct {
	V        int               `json:"v"`
	Messages []message.Message `json:"messages"`
}

// Destination is where a notification goes, as the worker saw it when matching.
type Destination struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Address string `json:"address"`
	Format  string `json:"format"`
	// DigestMaxCount and DigestMaxDelay, when either is set, collect the destination's
	// notifications into digests sent when that many are waiting or the oldest is that old.
	DigestMaxCount int           `json:"digest_max_count,omitempty"`
	DigestMaxDelay time.Duration `json:"digest_max_delay,omitempty"`
}

// Digest reports whether the destination collects its notifications into digests.
func (d Destination) Digest() bool { return d.DigestMaxCount > 0 || d.DigestMaxDelay > 0 }

// FilterRef names a filter that matched ("why did I get this").
type FilterRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// KindConfirmation is the Kind of a notification asking a user to confirm a destination: it
// carries ConfirmURL (email) or ConfirmCode (IRC) instead of a bus message, is sent although the
// destination is not confirmed yet, and is never collected into a digest.
const KindConfirmation = "confirmation"

// Notification is one message for one user at one destination.
type Notification struct {
	// Kind is "" for a bus message's notification, or KindConfirmation. It and the Confirm
	// fields are optional, so the wire version stays: a backend older than them would send a
	// confirmation as an ordinary notification without its link or code, so deploy backends
	// before web apps that send confirmations.
	Kind string `json:"kind,omitempty"`
	// ID is NotificationID(MessageID, User, Destination.ID): the same notification always has the
	// same id, which is what makes redelivery harmless.
	ID string `json:"id"`
	// Subject, in a batch as encoded (version 2), is the 1-based index of the batch's Subject
	// holding this notification's message fields (MessageID to SentAt), which are then empty
	// here; 0 when they are here. Decoding fills them in and sets it back to 0.
	Subject     int         `json:"subject,omitempty"`
	MessageID   string      `json:"message_id,omitempty"`
	User        string      `json:"user"`
	Destination Destination `json:"destination"`
	Filters     []FilterRef `json:"filters"`
	Topic       string      `json:"topic,omitempty"`
	App         string      `json:"app,omitempty"`
	Agent       string      `json:"agent,omitempty"`
	Severity    int         `json:"severity,omitempty"`
	Summary     string      `json:"summary,omitempty"`
	URL         string      `json:"url,omitempty"`
	// Details are the message's long form (message.Message.Details). Optional: a backend older
	// than them renders the short form.
	Details   []message.Detail   `json:"details,omitempty"`
	Usernames []string           `json:"usernames,omitempty"`
	Artifacts []message.Artifact `json:"artifacts,omitempty"`
	SentAt    time.Time          `json:"sent_at,omitzero"`
	MatchedAt time.Time          `json:"matched_at"`
	// ConfirmURL is the link of an email confirmation; it holds the confirmation's secret.
	ConfirmURL string `json:"confirm_url,omitempty"`
	// ConfirmCode is the code of an IRC confirmation.
	ConfirmCode string `json:"confirm_code,omitempty"`
}

// NotificationFor is the notification of msg for user at dest, matched by filters at now: the
// message's fields, and the id that makes its redelivery harmless.
func NotificationFor(msg *message.Message, user string, dest Destination, filters []FilterRef, now time.Time) Notification {
	return Notification{
		ID:          NotificationID(msg.ID, user, dest.ID),
		MessageID:   msg.ID,
		User:        user,
		Destination: dest,
		Filters:     filters,
		Topic:       msg.Topic,
		App:         msg.App,
		Agent:       msg.Agent,
		Severity:    msg.Severity,
		Summary:     msg.Summary,
		URL:         msg.URL,
		Details:     msg.Details,
		Usernames:   msg.Usernames,
		Artifacts:   msg.Artifacts,
		SentAt:      msg.SentAt,
		MatchedAt:   now,
	}
}

// IsConfirmation reports whether n asks its user to confirm its destination.
func (n Notification) IsConfirmation() bool { return n.Kind == KindConfirmation }

// NotificationBatch carries notifications for one channel ("email", "irc", "sse").
type NotificationBatch struct {
	V       int    `json:"v"`
	Channel string `json:"channel"`
	// Subjects holds, once per bus message, the fields its notifications share (version 2; see
	// Notification.Subject). Decoding moves them into the notifications and empties it.
	Subjects      []Subject      `json:"subjects,omitempty"`
	Notifications []Notification `json:"notifications"`
}

// Subject is what every notification of one bus message says about that message.
type Subject struct {
	MessageID string             `json:"message_id"`
	Topic     string             `json:"topic"`
	App       string             `json:"app,omitempty"`
	Agent     string             `json:"agent,omitempty"`
	Severity  int                `json:"severity"`
	Summary   string             `json:"summary,omitempty"`
	URL       string             `json:"url,omitempty"`
	Details   []message.Detail   `json:"details,omitempty"`
	Usernames []string           `json:"usernames,omitempty"`
	Artifacts []message.Artifact `json:"artifacts,omitempty"`
	SentAt    time.Time          `json:"sent_at,omitzero"`
}

// subjectOf returns n's message fields.
func subjectOf(n *Notification) Subject {
	return Subject{MessageID: n.MessageID, Topic: n.Topic, App: n.App, Agent: n.Agent, Severity: n.Severity, Summary: n.Summary,
		URL: n.URL, Details: n.Details, Usernames: n.Usernames, Artifacts: n.Artifacts, SentAt: n.SentAt}
}

// setSubject sets n's message fields from s.
func (n *Notification) setSubject(s *Subject) {
	n.MessageID, n.Topic, n.App, n.Agent, n.Severity, n.Summary = s.MessageID, s.Topic, s.App, s.Agent, s.Severity, s.Summary
	n.URL, n.Details, n.Usernames, n.Artifacts, n.SentAt = s.URL, s.Details, s.Usernames, s.Artifacts, s.SentAt
}

// pack returns b in version 2: each message's fields once, in Subjects, rather than in each of
// its notifications (a message reaches many users, and the broker and both ends pay per byte of
// JSON). b is not modified.
func pack(b *NotificationBatch) *NotificationBatch {
	out := &NotificationBatch{V: NotificationsVersion, Channel: b.Channel, Notifications: make([]Notification, len(b.Notifications))}
	index := map[string]int{}
	for i, n := range b.Notifications {
		if n.MessageID != "" { // confirmations have no message
			k, ok := index[n.MessageID]
			if !ok {
				out.Subjects = append(out.Subjects, subjectOf(&n))
				k = len(out.Subjects)
				index[n.MessageID] = k
			}
			n.setSubject(&Subject{})
			n.Subject = k
		}
		out.Notifications[i] = n
	}
	return out
}

// unpack moves a version 2 batch's Subjects into its notifications.
func (b *NotificationBatch) unpack() error {
	for i := range b.Notifications {
		n := &b.Notifications[i]
		if n.Subject == 0 {
			continue
		}
		if n.Subject < 0 || n.Subject > len(b.Subjects) {
			return fmt.Errorf("notification %d names subject %d of %d", i, n.Subject, len(b.Subjects))
		}
		n.setSubject(&b.Subjects[n.Subject-1])
		n.Subject = 0
	}
	b.Subjects = nil
	return nil
}

// PrefsChange tells workers that preferences changed: a prefs.Change with the wire version.
type PrefsChange struct {
	V int `json:"v"`
	prefs.Change
}

// NotificationID derives a notification's id from what identifies it.
func NotificationID(messageID, user string, destination int64) string {
	h := sha256.New()
	h.Write([]byte(messageID))
	h.Write([]byte{0})
	h.Write([]byte(user))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(destination, 10)))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Encode marshals v (a WorkItem, NotificationBatch or PrefsChange), stamping the version.
func Encode(v any) ([]byte, error) {
	switch x := v.(type) {
	case *WorkItem:
		x.V = Version
	case *NotificationBatch:
		v = pack(x)
	case *PrefsChange:
		x.V = Version
	default:
		return nil, fmt.Errorf("encode %T: not a wire type", v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return b, nil
}

// DecodeWork unmarshals a work item and checks its version.
func DecodeWork(b []byte) (WorkItem, error) {
	var w WorkItem
	if err := decode(b, &w, &w.V); err != nil {
		return WorkItem{}, fmt.Errorf("decode work item: %w", err)
	}
	return w, nil
}

// DecodeNotifications unmarshals a notification batch and checks its version.
func DecodeNotifications(b []byte) (NotificationBatch, error) {
	var n NotificationBatch
	if err := decode(b, &n, &n.V, Version, NotificationsVersion); err != nil {
		return NotificationBatch{}, fmt.Errorf("decode notification batch: %w", err)
	}
	if err := n.unpack(); err != nil {
		return NotificationBatch{}, fmt.Errorf("decode notification batch: %w", err)
	}
	return n, nil
}

// DecodePrefsChange unmarshals a preferences change event and checks its version.
func DecodePrefsChange(b []byte) (PrefsChange, error) {
	var p PrefsChange
	if err := decode(b, &p, &p.V); err != nil {
		return PrefsChange{}, fmt.Errorf("decode prefs change: %w", err)
	}
	return p, nil
}

// decode unmarshals b into v and checks that the version it read is one of readable (by
// default, Version).
func decode(b []byte, v any, version *int, readable ...int) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	if len(readable) == 0 {
		readable = []int{Version}
	}
	if !slices.Contains(readable, *version) {
		return fmt.Errorf("wire version %d, this build reads %v", *version, readable)
	}
	return nil
}
