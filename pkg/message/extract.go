package message

import (
	"regexp"
	"slices"
	"strings"
)

// Aliases maps an e-mail address or IRC nick to an account name. Lookups must be cheap; the
// consumer passes a map built from confirmed destinations and an alias table.
type Aliases interface {
	// Account returns the account name behind an address or nick, if known.
	Account(addressOrNick string) (string, bool)
}

// MapAliases is an Aliases backed by a plain map.
type MapAliases map[string]string

// Account implements Aliases.
func (a MapAliases) Account(k string) (string, bool) {
	v, ok := a[k]
	return v, ok
}

// Extract fills App, Agent, Usernames, Groups, Artifacts, Summary and URL from the message body.
// It never fails: an unknown topic gets the generic fallback, and a body that is not a JSON
// object yields only what the topic says.
//
// The extractor for a message is chosen from a table of rules keyed by topic pattern (with the
// environment prefix, such as org.fedoraproject.prod, stripped) and body shape; see rules.go.
// When HasHeaderMetadata(m.Headers) holds, the headers are the authority for users, groups and
// artifacts: Extract keeps what decoding put there and adds nothing from the body, but still
// computes App, Agent, Summary and URL. An App, Agent, Summary or URL already set is kept.
//
// aliases may be nil. An e-mail address with no alias is never taken as a username.
func Extract(m *Message, aliases Aliases) {
	x := extraction{aliases: aliases, topic: StripEnv(m.Topic), env: topicEnv(m.Topic)}
	if len(m.Body) > 0 {
		if v, err := decodeBody(m.Body); err == nil {
			x.body = v
		}
	}
	x.root = x.body
	r := findRule(x.topic, x.body)
	if r != nil {
		x.apply(r)
	} else {
		x.generic()
	}

	if m.App == "" {
		if r != nil && r.app != "" {
			m.App = r.app
		} else {
			m.App = AppFromTopic(m.Topic)
		}
	}
	if m.Agent == "" {
		m.Agent = x.agent
	}
	if !HasHeaderMetadata(m.Headers) {
		m.Usernames = append(m.Usernames, x.users...)
		if m.Agent != "" {
			m.Usernames = append(m.Usernames, m.Agent)
		}
		m.Groups = append(m.Groups, x.groups...)
		m.Artifacts = append(m.Artifacts, x.arts...)
	}
	m.Normalize()
	if m.URL == "" {
		m.URL = x.url
		if m.URL == "" {
			m.URL = x.render(r, func(r *rule) []template { return r.url }, m)
		}
	}
	if m.Details == nil {
		m.Details = x.details
	}
	if m.Summary == "" {
		m.Summary = x.summary
		if m.Summary == "" {
			m.Summary = x.render(r, func(r *rule) []template { return r.summary }, m)
		}
		m.Summary = oneLine(m.Summary)
		if m.Summary == "" {
			m.Summary = oneLine(defaultSummary(m, &x))
		}
	}
}

// extraction is the state of one Extract call.
type extraction struct {
	aliases Aliases
	topic   string // the topic without its environment prefix
	env     string // the topic's environment: "prod", "stg", "stage", "dev", or "" when it names none
	body    any    // the decoded body
	root    any    // where the rule's paths start (the body, or a wrapped inner object)

	agent  string
	users  []string
	groups []string
	arts   []Artifact

	summary string // set by a rule's code; wins over its templates
	url     string // set by a rule's code; wins over its templates
	details []Detail
}

// account turns a producer's idea of a person into an account name: an alias hit wins; a
// FAS OpenID URL or an @fedoraproject.org address gives its user part; any other address, and
// anything that cannot be an account name, gives "".
func (x *extraction) account(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 255 {
		return ""
	}
	if x.aliases != nil {
		if a, ok := x.aliases.Account(s); ok {
			return a
		}
	}
	if before, _, ok := strings.Cut(s, ".id.fedoraproject.org"); ok {
		if _, after, ok := strings.Cut(before, "//"); ok {
			before = after
		}
		return validAccount(before)
	}
	if local, ok := strings.CutSuffix(s, "@fedoraproject.org"); ok {
		return validAccount(local)
	}
	return validAccount(s)
}

// validAccount returns s if it can be an account name (no address, URL, spaces or controls).
func validAccount(s string) string {
	if s == "" || strings.ContainsAny(s, "@/: \t\r\n<>\"'(),;") {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return ""
		}
	}
	return s
}

// userOf returns the account behind a JSON value: a string, or an object with a name, username
// or nickname member.
func (x *extraction) userOf(v any) string {
	switch u := v.(type) {
	case string:
		return x.account(u)
	case map[string]any:
		for _, k := range [...]string{"username", "name", "nickname"} {
			if s, ok := u[k].(string); ok && s != "" {
				return x.account(s)
			}
		}
	case []any:
		// Legacy pkgdb messages carried the agent as a one-element list.
		if len(u) > 0 {
			return x.userOf(u[0])
		}
	}
	return ""
}

// addUser adds the account v names (a string or a person object), if any.
func (x *extraction) addUser(v any) {
	if u := x.userOf(v); u != "" {
		x.users = append(x.users, u)
	}
}

// addUserPath adds the accounts p addresses in the body.
func (x *extraction) addUserPath(p path) { p.each(x.root, x.addUser) }

// setAgent sets the agent from v if none is set yet.
func (x *extraction) setAgent(v any) {
	if x.agent == "" {
		x.agent = x.userOf(v)
	}
}

// addArtifact adds an artifact of type t, unless name is empty or cannot be one.
func (x *extraction) addArtifact(t ArtifactType, name string) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 255 || strings.ContainsAny(name, " \t\r\n/") {
		return
	}
	x.arts = append(x.arts, Artifact{Type: t, Name: name})
}

// addGroup adds the group v names (a string or an object with a name).
func (x *extraction) addGroup(v any) {
	var g string
	switch t := v.(type) {
	case string:
		g = t
	case map[string]any:
		g, _ = t["name"].(string)
	}
	if g = validAccount(strings.TrimSpace(g)); g != "" {
		x.groups = append(x.groups, g)
	}
}

// apply runs a rule: its data-driven paths first, then its code, if any.
func (x *extraction) apply(r *rule) {
	if r.root != nil {
		if inner, ok := r.root.get(x.body).(map[string]any); ok {
			x.root = inner
		}
	}
	for _, p := range r.agent {
		p.each(x.root, x.setAgent)
	}
	for _, p := range r.users {
		x.addUserPath(p)
	}
	for _, a := range r.artifacts {
		a.path.each(x.root, func(v any) {
			s, ok := v.(string)
			if !ok {
				if obj, isObj := v.(map[string]any); isObj {
					s, _ = obj["name"].(string)
				}
			}
			if a.nvr {
				s = nameFromNVR(s)
			}
			x.addArtifact(a.typ, s)
		})
	}
	for _, p := range r.groups {
		p.each(x.root, x.addGroup)
	}
	if r.fn != nil {
		r.fn(x)
	}
}

// generic is the fallback for topics no rule knows: the common keys for who acted, taken only
// when they hold something that can be an account name.
func (x *extraction) generic() {
	for _, p := range genericAgent {
		p.each(x.root, x.setAgent)
	}
	for _, p := range genericUsers {
		x.addUserPath(p)
	}
}

// genericAgent and genericUsers are the common keys generic reads who acted from.
var (
	genericAgent = mustPaths("agent", "user", "username", "owner", "submitter")
	genericUsers = mustPaths("agent", "user", "username", "owner", "submitter", "packager")
)

// nameFromNVR returns the package name of a name-version-release string: the part before the
// second-to-last dash, as Fedora's tools split NVRs. A string with one dash gives the part before
// it, a string with none is returned as is (bodhi's oldest update titles were bare names).
func nameFromNVR(s string) string {
	s = strings.TrimSpace(s)
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return s
	}
	if j := strings.LastIndexByte(s[:i], '-'); j >= 0 {
		return s[:j]
	}
	return s[:i]
}

// namesFromNVRList splits a list of NVRs separated by spaces or commas (a bodhi update title)
// into package names.
func namesFromNVRList(s string) []string {
	var out []string
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		if n := nameFromNVR(f); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// staging reports whether the message comes from a staging deployment, whose services have
// hosts of their own.
func (x *extraction) staging() bool { return x.env == "stg" || x.env == "stage" }

// mentionRE finds @user mentions in free text (bodhi comments), not the domain of an address.
var mentionRE = regexp.MustCompile(`(?:^|[^\w@.])@(\w[\w-]*)`)

// addMentions adds the accounts @-mentioned in text.
func (x *extraction) addMentions(text string) {
	if !strings.Contains(text, "@") {
		return
	}
	for _, mm := range mentionRE.FindAllStringSubmatch(text, -1) {
		if u := x.account(strings.TrimRight(mm[1], "-")); u != "" {
			x.users = append(x.users, u)
		}
	}
}

// hasArtifacts reports whether any artifact has been found so far.
func (x *extraction) hasArtifacts() bool { return len(x.arts) > 0 }

// dropUser removes an account that producers use as a placeholder (pkgdb "orphan").
func (x *extraction) dropUser(name string) {
	x.users = slices.DeleteFunc(x.users, func(u string) bool { return u == name })
	if x.agent == name {
		x.agent = ""
	}
}
