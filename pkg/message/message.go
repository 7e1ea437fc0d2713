package message

import (
	"encoding/json"
	"time"
)

// Severity levels, as fedora-messaging defines them (Python logging levels).
const (
	SeverityDebug   = 10
	SeverityInfo    = 20
	SeverityWarning = 30
	SeverityError   = 40
)

// ArtifactType names the kind of thing an artifact is, as in fedora-messaging's headers.
type ArtifactType string

// The artifact types fmn knows. Unknown kinds from headers are kept with their own name.
const (
	ArtifactRPM       ArtifactType = "rpms"
	ArtifactContainer ArtifactType = "containers"
	ArtifactModule    ArtifactType = "modules"
	ArtifactFlatpak   ArtifactType = "flatpaks"
)

// Artifact is a typed thing a message is about, such as the rpm "kernel".
type Artifact struct {
	Type ArtifactType `json:"type"`
	Name string       `json:"name"`
}

// Message is the normalised envelope of one bus message. The consumer computes it once; the worker
// matches filters against it and the backend renders notifications from it.
type Message struct {
	// ID is the message id (fedora-messaging "id" / AMQP message_id, fedmsg "msg_id").
	ID string `json:"id"`
	// Topic is the full topic as seen on the bus (the AMQP routing key).
	Topic string `json:"topic"`
	// SentAt is when the producer sent the message; zero when unknown.
	SentAt time.Time `json:"sent_at,omitzero"`
	// Severity is one of the Severity* levels; SeverityInfo when the message does not say.
	Severity int `json:"severity"`
	// App is the application (category) that sent the message, such as "bodhi".
	App string `json:"app,omitempty"`
	// Agent is the account name of whoever acted, when known.
	Agent string `json:"agent,omitempty"`
	// Usernames are the account names involved, sorted and unique.
	Usernames []string `json:"usernames,omitempty"`
	// Groups are the account-system groups involved, sorted and unique.
	Groups []string `json:"groups,omitempty"`
	// Artifacts are the typed artifacts involved, sorted by type then name, unique.
	Artifacts []Artifact `json:"artifacts,omitempty"`
	// Summary is a one-line human description.
	Summary string `json:"summary,omitempty"`
	// URL links to the thing the message is about.
	URL string `json:"url,omitempty"`
	// Details are the message's long form: the facts that let someone act without opening the
	// page (the comment and karma of a bodhi comment, the NVR, state and task of a build), in
	// order; channels with room for them (email, Matrix) show them.
	Details []Detail `json:"details,omitempty"`
	// Body is the raw JSON body, unchanged.
	Body json.RawMessage `json:"body"`
	// Headers are the fedora-messaging headers, if any.
	Headers map[string]any `json:"headers,omitempty"`
}

// Detail is one fact of a message's long form, such as "Karma: +1". Values are raw text from
// the bus: every channel escapes them for where they go.
type Detail struct {
	// Label names the fact: "Karma", "Comment", "Builds".
	Label string `json:"label"`
	// Value is the fact, one line unless Text is set.
	Value string `json:"value"`
	// Text marks free text written by a person (a comment, a description), shown as a block and
	// kept with its line breaks.
	Text bool `json:"text,omitempty"`
	// URL links the value; http and https only.
	URL string `json:"url,omitempty"`
}

// Packages returns the sorted, unique names of all artifacts, whatever their type.
func (m *Message) Packages() []string {
	if len(m.Artifacts) == 0 {
		return nil
	}
	seen := make(map[string]struct{}, len(m.Artifacts))
	out := make([]string, 0, len(m.Artifacts))
	for _, a := range m.Artifacts {
		if _, ok := seen[a.Name]; ok {
			continue
		}
		seen[a.Name] = struct{}{}
		out = append(out, a.Name)
	}
	sortStrings(out)
	return out
}
