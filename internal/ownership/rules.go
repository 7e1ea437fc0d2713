// Package ownership turns bus messages about access control into ownership and membership
// changes: dist-git (Pagure) project ACL topics say who owns which artifact, and account-system
// group topics say who is in which group. It is pure: no I/O and no clock; the consumer applies
// what Changes returns with pgstore.Store.ApplyOwnership.
//
// Which topics mean what is configurable (see ParseRules for the FMN_OWNERSHIP_TOPICS format).
// A topic is matched with its environment prefix stripped (message.StripEnv), so
// "org.fedoraproject.prod.pagure.project.user.added" and "io.pagure.prod.pagure.project.user.added"
// both match the pattern "pagure.project.user.added". Patterns are AMQP-style globs over the
// dot-separated words of that topic: "*" matches exactly one word and "#" zero or more words; any
// other word matches itself.
package ownership

import (
	"fmt"
	"slices"
	"strings"

	"fmn/pkg/message"
)

// Action says how the body of a message whose topic matches a rule is read.
type Action string

// The actions a rule can name.
const (
	// ActionPagureACL reads a Pagure project ACL message (user or group added, access updated,
	// removed). It yields ownership changes only for dist-git projects: not forks, and in a
	// namespace that names an artifact type (rpms, container, modules, flatpaks).
	ActionPagureACL Action = "pagure-acl"
	// ActionMemberAdd reads an account-system message that makes a user a member of a group.
	ActionMemberAdd Action = "member-add"
	// ActionMemberRemove reads an account-system message that takes a user out of a group.
	ActionMemberRemove Action = "member-remove"
)

// actions lists the known actions, for validation and error messages.
var actions = []Action{ActionPagureACL, ActionMemberAdd, ActionMemberRemove}

// Rule maps a topic pattern to an action.
type Rule struct {
	// Pattern is an AMQP-style glob over the env-stripped topic ("*" one word, "#" any words).
	Pattern string
	// Action says how to read the body.
	Action Action
}

// String renders the rule in the FMN_OWNERSHIP_TOPICS form, "action=pattern".
func (r Rule) String() string { return string(r.Action) + "=" + r.Pattern }

// defaultRules are the topics Fedora's services publish for ACL and group changes. The table is
// read-only; DefaultRules copies it.
var defaultRules = []Rule{
	// Pagure and dist-git (src.fedoraproject.org publishes as org.fedoraproject.prod.pagure.*).
	{"pagure.project.user.added", ActionPagureACL},
	{"pagure.project.user.access.updated", ActionPagureACL},
	{"pagure.project.user.removed", ActionPagureACL},
	{"pagure.project.group.added", ActionPagureACL},
	{"pagure.project.group.access.updated", ActionPagureACL},
	{"pagure.project.group.removed", ActionPagureACL},
	// FAS and Noggin. A sponsor adds a member; FAS only sent role.update for approved members
	// (promotion or demotion between user, sponsor and administrator), so it means "is a member".
	{"fas.group.member.sponsor", ActionMemberAdd},
	{"fas.role.update", ActionMemberAdd},
	{"fas.group.member.remove", ActionMemberRemove},
}

// DefaultRules returns the rules for the dist-git/Pagure ACL topics and the account-system
// (FAS, Noggin) group membership topics.
func DefaultRules() *Rules {
	r, err := NewRules(defaultRules)
	if err != nil {
		panic(err) // the default table is a constant; a bad entry is a programming error
	}
	return r
}

// Rules decides which topics carry ownership or membership changes and reads them. It is
// immutable after construction and safe for concurrent use.
type Rules struct {
	rules []Rule
	// exact maps a wildcard-free pattern to the index of the first rule with it.
	exact map[string]int
	// globs are the rules with wildcards, in rule order.
	globs []glob
}

type glob struct {
	index int
	words []string
}

// NewRules compiles rules. When several rules match a topic, the first one wins.
func NewRules(rules []Rule) (*Rules, error) {
	r := &Rules{rules: slices.Clone(rules), exact: make(map[string]int)}
	for i, rule := range rules {
		if !slices.Contains(actions, rule.Action) {
			return nil, &RuleError{Rule: rule.String(), Reason: fmt.Sprintf("unknown action %q (known: %s)", rule.Action, actionList())}
		}
		words, wild, err := parsePattern(rule.Pattern)
		if err != nil {
			return nil, &RuleError{Rule: rule.String(), Reason: err.Error()}
		}
		if !wild {
			if _, ok := r.exact[rule.Pattern]; !ok {
				r.exact[rule.Pattern] = i
			}
			continue
		}
		r.globs = append(r.globs, glob{index: i, words: words})
	}
	return r, nil
}

// Rules returns a copy of the rules, in order.
func (r *Rules) Rules() []Rule { return slices.Clone(r.rules) }

// String renders the rules in the FMN_OWNERSHIP_TOPICS form.
func (r *Rules) String() string {
	parts := make([]string, len(r.rules))
	for i, rule := range r.rules {
		parts[i] = rule.String()
	}
	return strings.Join(parts, ",")
}

// Match returns the action of the first rule matching topic (full, as seen on the bus; the
// environment prefix is stripped here). It does not allocate.
func (r *Rules) Match(topic string) (Action, bool) {
	t := message.StripEnv(topic)
	best := -1
	if i, ok := r.exact[t]; ok {
		best = i
	}
	for _, g := range r.globs {
		if best >= 0 && g.index > best {
			break
		}
		if matchWords(g.words, t) {
			best = g.index
			break
		}
	}
	if best < 0 {
		return "", false
	}
	return r.rules[best].Action, true
}

// RuleError reports a rule that cannot be used.
type RuleError struct {
	// Rule is the offending entry as written.
	Rule string
	// Reason says what is wrong with it.
	Reason string
}

// Error names the rule and says what is wrong with it.
func (e *RuleError) Error() string { return fmt.Sprintf("ownership rule %q: %s", e.Rule, e.Reason) }

func actionList() string {
	s := make([]string, len(actions))
	for i, a := range actions {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// maxPatternWords bounds a pattern; real topics have fewer than a dozen words.
const maxPatternWords = 32

// maxHashes bounds the "#" words of a pattern: each one multiplies the matching work by the
// number of words in the topic.
const maxHashes = 3

// parsePattern splits a pattern into words and reports whether it has wildcards.
func parsePattern(p string) ([]string, bool, error) {
	if p == "" {
		return nil, false, fmt.Errorf("empty pattern")
	}
	words := strings.Split(p, ".")
	if len(words) > maxPatternWords {
		return nil, false, fmt.Errorf("more than %d words", maxPatternWords)
	}
	wild, hashes := false, 0
	for i, w := range words {
		switch {
		case w == "":
			return nil, false, fmt.Errorf("empty word (leading, trailing or doubled dot)")
		case w == "#" && i > 0 && words[i-1] == "#":
			return nil, false, fmt.Errorf(`"#.#" is the same as "#"; write it once`)
		case w == "#":
			if hashes++; hashes > maxHashes {
				return nil, false, fmt.Errorf(`more than %d "#" words`, maxHashes)
			}
			wild = true
		case w == "*":
			wild = true
		case strings.ContainsAny(w, "*#"):
			return nil, false, fmt.Errorf("word %q: '*' and '#' must be whole words (AMQP-style pattern, not fnmatch)", w)
		case strings.ContainsFunc(w, func(c rune) bool { return c <= ' ' || c == '=' || c == ',' || c == 0x7f }):
			return nil, false, fmt.Errorf("word %q has a space, control character, '=' or ','", w)
		}
	}
	return words, wild, nil
}

// matchWords matches AMQP-style pattern words against a dotted topic without allocating.
func matchWords(words []string, topic string) bool {
	for i, w := range words {
		if w == "#" {
			rest := words[i+1:]
			if len(rest) == 0 {
				return true
			}
			// Try every suffix of the topic, including the whole remainder ("#" = zero words).
			for t := topic; ; {
				if matchWords(rest, t) {
					return true
				}
				_, after, ok := strings.Cut(t, ".")
				if !ok {
					return false
				}
				t = after
			}
		}
		word, after, ok := strings.Cut(topic, ".")
		if w != "*" && w != word {
			return false
		}
		if !ok {
			return i == len(words)-1 || allHash(words[i+1:])
		}
		topic = after
	}
	return false // topic has words left over
}

func allHash(words []string) bool {
	for _, w := range words {
		if w != "#" {
			return false
		}
	}
	return true
}

// EnvTopics names the environment variable read by FromEnv.
const EnvTopics = "FMN_OWNERSHIP_TOPICS"

// ParseRules reads rules in the FMN_OWNERSHIP_TOPICS format: entries separated by commas and/or
// whitespace, each either "ACTION=PATTERN" or the word "defaults" (which stands for every rule of
// DefaultRules, at that position). ACTION is one of pagure-acl, member-add, member-remove;
// PATTERN is an AMQP-style glob over the topic with its environment prefix stripped. An empty or
// blank value means the defaults. Example:
//
//	defaults, member-add=fas.group.member.approve, pagure-acl=pagure.project.#
//
// Bad entries are refused with a *RuleError naming the entry.
func ParseRules(value string) (*Rules, error) {
	entries := strings.FieldsFunc(value, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' })
	if len(entries) == 0 {
		return DefaultRules(), nil
	}
	var rules []Rule
	for _, e := range entries {
		if e == "defaults" {
			rules = append(rules, defaultRules...)
			continue
		}
		action, pattern, ok := strings.Cut(e, "=")
		if !ok {
			return nil, &RuleError{Rule: e, Reason: `want "action=pattern" or "defaults"`}
		}
		rules = append(rules, Rule{Pattern: pattern, Action: Action(action)})
	}
	return NewRules(rules)
}

// FromEnv reads the rules from FMN_OWNERSHIP_TOPICS (default: DefaultRules) through lookup
// (os.LookupEnv in production). The error names the variable.
func FromEnv(lookup func(string) (string, bool)) (*Rules, error) {
	v, _ := lookup(EnvTopics)
	r, err := ParseRules(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvTopics, err)
	}
	return r, nil
}
