package message

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultMaxBodyBytes is the largest body accepted when a caller passes no limit. Real bus messages
// are a few kilobytes; the largest seen (koji task lists) stay well under this.
const DefaultMaxBodyBytes = 1 << 20

// ErrMalformed is wrapped by every DecodeError, so callers can test errors.Is(err, ErrMalformed).
var ErrMalformed = errors.New("malformed message")

// DecodeError says why a bus message cannot be used. Reason is short and safe to put in a header.
type DecodeError struct {
	Reason string
}

// Error implements error.
func (e *DecodeError) Error() string { return "malformed message: " + e.Reason }

// Unwrap makes errors.Is(err, ErrMalformed) hold.
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// malformed returns a DecodeError with a formatted reason.
func malformed(format string, args ...any) error {
	return &DecodeError{Reason: fmt.Sprintf(format, args...)}
}

// Header name prefixes and keys used by fedora-messaging.
const (
	headerSchema      = "fedora_messaging_schema"
	headerSeverity    = "fedora_messaging_severity"
	headerSentAt      = "sent-at"
	headerUserPrefix  = "fedora_messaging_user_"
	headerGroupPrefix = "fedora_messaging_group_"
)

// artifactHeaderPrefixes maps fedora-messaging artifact header prefixes to artifact types.
var artifactHeaderPrefixes = []struct {
	prefix string
	typ    ArtifactType
}{
	{"fedora_messaging_rpm_", ArtifactRPM},
	{"fedora_messaging_package_", ArtifactRPM},
	{"fedora_messaging_container_", ArtifactContainer},
	{"fedora_messaging_module_", ArtifactModule},
	{"fedora_messaging_flatpak_", ArtifactFlatpak},
}

// AMQP describes one delivery from the bus in transport-neutral terms.
type AMQP struct {
	// RoutingKey is the topic.
	RoutingKey string
	// MessageID is the AMQP message_id property.
	MessageID string
	// Timestamp is the AMQP timestamp property; zero if unset.
	Timestamp time.Time
	// Headers are the AMQP headers table.
	Headers map[string]any
	// Body is the raw payload.
	Body []byte
}

// DecodeAMQP decodes a delivery from the bus. A fedora-messaging message has the topic as routing
// key, the id as message_id and a JSON body; a body that is a fedmsg-era envelope
// ({"topic", "msg_id", "msg", ...}) without fedora-messaging headers is decoded as such.
// maxBody <= 0 means DefaultMaxBodyBytes. The result has header metadata applied but no body
// extraction; see Extract.
func DecodeAMQP(d AMQP, maxBody int) (Message, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	if len(d.Body) > maxBody {
		return Message{}, malformed("body of %d bytes exceeds the limit of %d", len(d.Body), maxBody)
	}
	body := bytes.TrimSpace(d.Body)
	if len(body) == 0 {
		return Message{}, malformed("empty body")
	}
	// Validate the body as received: bytes.TrimSpace also strips bytes JSON does not allow as
	// whitespace (such as \f), which must not turn invalid input into a message.
	if !json.Valid(d.Body) {
		return Message{}, malformed("body is not valid JSON")
	}
	// Valid JSON can still hold invalid UTF-8 inside its strings; every consumer of the body
	// (JSON encoders, PostgreSQL's jsonb, browsers) wants UTF-8, so each bad byte becomes U+FFFD
	// here, once, which keeps the JSON valid.
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	if _, ok := d.Headers[headerSchema]; !ok && looksLikeFedmsg(body) {
		return DecodeFedmsg(body, maxBody)
	}
	if body[0] != '{' {
		return Message{}, malformed("body is not a JSON object")
	}
	topic := strings.TrimSpace(d.RoutingKey)
	if topic == "" {
		return Message{}, malformed("no topic (empty routing key)")
	}
	if err := checkTopic(topic); err != nil {
		return Message{}, err
	}
	m := Message{
		ID:       d.MessageID,
		Topic:    topic,
		SentAt:   d.Timestamp.UTC(),
		Severity: SeverityInfo,
		Body:     json.RawMessage(slices.Clone(body)),
		Headers:  d.Headers,
	}
	if m.ID == "" {
		if id, ok := d.Headers["message_id"].(string); ok {
			m.ID = id
		}
	}
	if m.ID == "" {
		return Message{}, malformed("no message id")
	}
	if err := applyHeaders(&m, d.Headers); err != nil {
		return Message{}, err
	}
	return m, nil
}

// looksLikeFedmsg reports whether body is a fedmsg-era envelope.
func looksLikeFedmsg(body []byte) bool {
	if body[0] != '{' {
		return false
	}
	var probe struct {
		Topic *string         `json:"topic"`
		Msg   json.RawMessage `json:"msg"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return false
	}
	return probe.Topic != nil && len(probe.Msg) > 0
}

// fedmsgEnvelope is the fedmsg-era wire form, as stored by datanommer.
type fedmsgEnvelope struct {
	Topic     string          `json:"topic"`
	MsgID     string          `json:"msg_id"`
	Timestamp json.Number     `json:"timestamp"`
	Msg       json.RawMessage `json:"msg"`
	Headers   map[string]any  `json:"headers"`
}

// DecodeFedmsg decodes a fedmsg-era JSON envelope: {"topic", "msg_id", "timestamp", "msg"}.
// maxBody <= 0 means DefaultMaxBodyBytes.
func DecodeFedmsg(raw []byte, maxBody int) (Message, error) {
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	if len(raw) > maxBody {
		return Message{}, malformed("message of %d bytes exceeds the limit of %d", len(raw), maxBody)
	}
	if !json.Valid(raw) {
		// json.Decoder alone would accept a valid object followed by garbage.
		return Message{}, malformed("fedmsg envelope: not valid JSON")
	}
	var env fedmsgEnvelope
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		return Message{}, malformed("fedmsg envelope: %s", jsonReason(err))
	}
	if env.Topic == "" {
		return Message{}, malformed("no topic")
	}
	if err := checkTopic(env.Topic); err != nil {
		return Message{}, err
	}
	if env.MsgID == "" {
		return Message{}, malformed("no msg_id")
	}
	msg := bytes.TrimSpace(env.Msg)
	if len(msg) == 0 || msg[0] != '{' {
		return Message{}, malformed("msg is not a JSON object")
	}
	m := Message{
		ID:       env.MsgID,
		Topic:    env.Topic,
		Severity: SeverityInfo,
		Body:     json.RawMessage(slices.Clone(msg)),
		Headers:  env.Headers,
	}
	if env.Timestamp != "" {
		f, err := env.Timestamp.Float64()
		if err != nil {
			return Message{}, malformed("timestamp %q is not a number", env.Timestamp.String())
		}
		sec := int64(f)
		m.SentAt = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	}
	if err := applyHeaders(&m, env.Headers); err != nil {
		return Message{}, err
	}
	return m, nil
}

// checkTopic refuses topics that cannot be routing keys.
func checkTopic(topic string) error {
	if len(topic) > 255 {
		return malformed("topic longer than 255 bytes")
	}
	for _, r := range topic {
		if r < 0x20 || r == 0x7f {
			return malformed("topic contains control characters")
		}
	}
	return nil
}

// applyHeaders applies fedora-messaging headers: they are the authority for users, groups,
// artifacts, severity and sent-at when present.
func applyHeaders(m *Message, h map[string]any) error {
	if len(h) == 0 {
		return nil
	}
	for k, v := range h {
		switch {
		case k == headerSeverity:
			sev, ok := toInt(v)
			if !ok {
				return malformed("header %s is not an integer", headerSeverity)
			}
			m.Severity = sev
		case k == headerSentAt:
			s, ok := v.(string)
			if !ok {
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return malformed("header sent-at %q is not an RFC 3339 time", s)
			}
			m.SentAt = t.UTC()
		case strings.HasPrefix(k, headerUserPrefix):
			if name := strings.TrimPrefix(k, headerUserPrefix); name != "" {
				m.Usernames = append(m.Usernames, name)
			}
		case strings.HasPrefix(k, headerGroupPrefix):
			if name := strings.TrimPrefix(k, headerGroupPrefix); name != "" {
				m.Groups = append(m.Groups, name)
			}
		default:
			for _, p := range artifactHeaderPrefixes {
				if name, ok := strings.CutPrefix(k, p.prefix); ok && name != "" {
					m.Artifacts = append(m.Artifacts, Artifact{Type: p.typ, Name: name})
					break
				}
			}
		}
	}
	m.Normalize()
	return nil
}

// HasHeaderMetadata reports whether the headers named any user, group or artifact, in which case
// they are the authority and body extraction must not add to them.
func HasHeaderMetadata(h map[string]any) bool {
	for k := range h {
		if strings.HasPrefix(k, headerUserPrefix) || strings.HasPrefix(k, headerGroupPrefix) {
			return true
		}
		for _, p := range artifactHeaderPrefixes {
			if strings.HasPrefix(k, p.prefix) {
				return true
			}
		}
	}
	return false
}

// Normalize sorts and de-duplicates Usernames, Groups and Artifacts.
func (m *Message) Normalize() {
	m.Usernames = sortUnique(m.Usernames)
	m.Groups = sortUnique(m.Groups)
	if len(m.Artifacts) > 1 {
		slices.SortFunc(m.Artifacts, func(a, b Artifact) int {
			if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
				return c
			}
			return strings.Compare(a.Name, b.Name)
		})
		m.Artifacts = slices.Compact(m.Artifacts)
	}
}

// sortUnique sorts s and removes duplicates, in place.
func sortUnique(s []string) []string {
	if len(s) < 2 {
		return s
	}
	sortStrings(s)
	return slices.Compact(s)
}

// sortStrings sorts s in place.
func sortStrings(s []string) { slices.Sort(s) }

// toInt returns v as an int if it is a whole number (of any of the types JSON or AMQP give) or
// a string of one.
func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int8:
		return int(n), true
	case int16:
		return int(n), true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case uint8:
		return int(n), true
	case uint16:
		return int(n), true
	case uint32:
		return int(n), true
	case float64:
		return int(n), float64(int(n)) == n
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}

// jsonReason says why a body could not be decoded (bad syntax, or a field of the wrong type),
// without quoting the body.
func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "not valid JSON"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	}
	return "not valid JSON"
}
