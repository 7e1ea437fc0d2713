package message

import (
	"strings"
)

// ruleSpec is one row of the extraction table, written compactly: lists are space-separated.
// A rule applies to a message when one of its topic patterns matches the topic (environment
// prefix stripped; "*" is one word, a trailing "#" any number of words, as in AMQP bindings)
// and every path in Shape addresses something in the body. The first applicable rule wins, so
// specific rows come before general ones of the same family.
type ruleSpec struct {
	Topics string // topic patterns
	Shape  string // paths that must be present
	Root   string // path of an inner object the other paths start from (noggin's "msg")
	App    string // application name; the topic's app segment if empty

	Agent  string // paths tried in order for who acted (an account, or an object with one)
	Users  string // paths to more accounts involved
	Groups string // paths to account-system groups

	RPMs       string // paths to rpm names
	RPMNVRs    string // paths to name-version-release strings of rpms
	Containers string // paths to container names
	Modules    string // paths to module names
	Flatpaks   string // paths to flatpak names

	Summary []string // templates, most specific first
	URL     []string // templates, most specific first

	Fn func(*extraction) // code for what the paths cannot say
}

// rule is a compiled ruleSpec.
type rule struct {
	topics    [][]string
	shape     []path
	root      path
	app       string
	agent     []path
	users     []path
	groups    []path
	artifacts []artifactPath
	summary   []template
	url       []template
	fn        func(*extraction)
}

// artifactPath is where a rule finds artifacts of one type; nvr says the values are NVRs.
type artifactPath struct {
	path path
	typ  ArtifactType
	nvr  bool
}

// fields compiles a space-separated list of paths.
func fields(s string) []path { return mustPaths(strings.Fields(s)...) }

// compileRules compiles the rule table; a malformed path or template panics at start-up.
func compileRules(specs []ruleSpec) []rule {
	out := make([]rule, 0, len(specs))
	for _, s := range specs {
		r := rule{
			shape:   fields(s.Shape),
			app:     s.App,
			agent:   fields(s.Agent),
			users:   fields(s.Users),
			groups:  fields(s.Groups),
			summary: mustTemplates(s.Summary...),
			url:     mustTemplates(s.URL...),
			fn:      s.Fn,
		}
		if s.Root != "" {
			r.root = mustPath(s.Root)
		}
		for _, t := range strings.Fields(s.Topics) {
			pat := strings.Split(t, ".")
			for i, w := range pat {
				if w == "" || (w == "#" && i != len(pat)-1) {
					panic("message: bad topic pattern " + t)
				}
			}
			r.topics = append(r.topics, pat)
		}
		if len(r.topics) == 0 {
			panic("message: rule without topics")
		}
		add := func(paths string, typ ArtifactType, nvr bool) {
			for _, p := range fields(paths) {
				r.artifacts = append(r.artifacts, artifactPath{path: p, typ: typ, nvr: nvr})
			}
		}
		add(s.RPMs, ArtifactRPM, false)
		add(s.RPMNVRs, ArtifactRPM, true)
		add(s.Containers, ArtifactContainer, false)
		add(s.Modules, ArtifactModule, false)
		add(s.Flatpaks, ArtifactFlatpak, false)
		out = append(out, r)
	}
	return out
}

// matchTopic matches a topic against a pattern of words.
func matchTopic(pat []string, topic string) bool {
	rest := topic
	for i, w := range pat {
		if w == "#" {
			return true
		}
		if rest == "" && i > 0 {
			return false
		}
		seg, after, found := strings.Cut(rest, ".")
		if w != "*" && w != seg {
			return false
		}
		if !found {
			return i == len(pat)-1 || (i == len(pat)-2 && pat[i+1] == "#")
		}
		rest = after
	}
	return false
}

// findRule returns the first rule that applies to topic and body, or nil.
func findRule(topic string, body any) *rule {
	app, _, _ := strings.Cut(topic, ".")
	for _, i := range rulesByApp[app] {
		r := &rules[i]
		if r.applies(topic, body) {
			return r
		}
	}
	for _, i := range rulesByApp["*"] {
		r := &rules[i]
		if r.applies(topic, body) {
			return r
		}
	}
	return nil
}

// applies reports whether one of r's topic patterns matches topic and its shape is in body.
func (r *rule) applies(topic string, body any) bool {
	ok := false
	for _, p := range r.topics {
		if matchTopic(p, topic) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for _, p := range r.shape {
		if p.get(body) == nil {
			return false
		}
	}
	return true
}

// rules is the compiled table; rulesByApp indexes it by the first word of the patterns ("*"
// for patterns that start with a wildcard). Both are built once and never changed.
var (
	rules      = compileRules(ruleSpecs)
	rulesByApp = indexRules(rules)
)

// indexRules maps each topic's first word to the rules that may match it, in table order.
func indexRules(rs []rule) map[string][]int {
	idx := make(map[string][]int)
	for i, r := range rs {
		seen := map[string]bool{}
		for _, p := range r.topics {
			k := p[0]
			if k == "#" {
				k = "*"
			}
			if !seen[k] {
				seen[k] = true
				idx[k] = append(idx[k], i)
			}
		}
	}
	return idx
}
