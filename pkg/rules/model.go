package rules

// Field names what a condition looks at.
type Field string

// The fields a condition can test.
const (
	FieldTopic    Field = "topic"    // the message topic; glob patterns with fnmatch semantics
	FieldApp      Field = "app"      // the application (category)
	FieldSeverity Field = "severity" // the severity level
	FieldUser     Field = "user"     // an involved account name; "@me" allowed
	FieldAgent    Field = "agent"    // who acted; "@me" allowed
	FieldArtifact Field = "artifact" // an involved artifact, optionally typed
	FieldOwned    Field = "owned"    // an involved artifact owned by "@me", a user or a group
	FieldGroup    Field = "group"    // an involved group
	FieldBody     Field = "body"     // a JSON path in the body
)

// Op is a condition's operator. Which operators a field accepts is decided by validation.
type Op string

// The operators.
const (
	OpIn      Op = "in"       // equal to one of Values (the default for most fields)
	OpGlob    Op = "glob"     // matches one of the glob patterns in Values (topic)
	OpAtLeast Op = "at_least" // severity at least Values[0]
	OpEq      Op = "eq"       // body value equals Values[0]
	OpRegex   Op = "regex"    // body value (a string) matches the RE2 expression Values[0]
)

// Me is the placeholder for the filter's owner in user, agent and owned conditions.
const Me = "@me"

// Placeholders and prefixes allowed in owned conditions, beside Me.
const (
	// MyGroups in an owned condition stands for every group the filter's owner is a member of.
	MyGroups = "@mygroups"
	// GroupPrefix marks a group name in an owned condition: "group:python-sig".
	GroupPrefix = "group:"
)

// Condition is one test on a message. A filter's conditions must all hold.
type Condition struct {
	Field  Field    `json:"field"`
	Op     Op       `json:"op,omitempty"`
	Values []string `json:"values"`
	// Negate inverts the condition: it holds when the test does not.
	Negate bool `json:"negate,omitempty"`
	// Path is the JSON path for body conditions, such as "update.status" or "builds[0].nvr".
	Path string `json:"path,omitempty"`
	// ArtifactType restricts artifact and owned conditions to one artifact type ("rpms", ...).
	ArtifactType string `json:"artifact_type,omitempty"`
}

// Filter is one of a user's filters. A user's filters are ORed.
type Filter struct {
	ID int64 `json:"id"`
	// User is the owner's account name; "@me" resolves to it.
	User    string `json:"user"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	// OneShot filters disable themselves after their first match (the caller does that).
	OneShot bool `json:"one_shot,omitempty"`
	// Destinations are the ids of the owner's destinations this filter sends to.
	Destinations []int64     `json:"destinations"`
	Conditions   []Condition `json:"conditions"`
}

// Match is one notification to send: a (user, destination) pair and every filter of that user
// that matched the message and sends there.
type Match struct {
	User        string  `json:"user"`
	Destination int64   `json:"destination"`
	Filters     []int64 `json:"filters"`
}
