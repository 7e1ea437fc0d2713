package message

import (
	"strings"
)

// A template renders a summary or URL from a message: literal text with {path} placeholders
// (paths as in path, from the rule's root) and the computed fields {@agent}, {@package},
// {@packages}, {@user}, {@topic} and {@event} (the topic
// after its application word, in words). A template with a placeholder that resolves to nothing
// renders to "", so a rule lists templates from the most to the least specific.
type template []tmplPart

// tmplPart is a literal, a path placeholder or a computed placeholder of a template.
type tmplPart struct {
	lit  string
	path path   // nil for a literal or a computed field
	comp string // computed field name, without "@"
}

// mustTemplate compiles a template; a malformed placeholder panics at start-up.
func mustTemplate(s string) template {
	var t template
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, tmplPart{lit: s})
			break
		}
		if i > 0 {
			t = append(t, tmplPart{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic("message: unclosed placeholder in template " + s)
		}
		name := s[i+1 : i+j]
		if c, ok := strings.CutPrefix(name, "@"); ok {
			t = append(t, tmplPart{comp: c})
		} else {
			t = append(t, tmplPart{path: mustPath(name)})
		}
		s = s[i+j+1:]
	}
	return t
}

// mustTemplates compiles several templates with mustTemplate.
func mustTemplates(ss ...string) []template {
	out := make([]template, len(ss))
	for i, s := range ss {
		out[i] = mustTemplate(s)
	}
	return out
}

// exec renders t, or returns "" if a placeholder has no value.
func (t template) exec(x *extraction, m *Message) string {
	var b strings.Builder
	for _, p := range t {
		var v string
		switch {
		case p.path != nil:
			v = scalarString(p.path.get(x.root))
		case p.comp != "":
			v = computed(p.comp, x, m)
		default:
			b.WriteString(p.lit)
			continue
		}
		if v == "" {
			return ""
		}
		b.WriteString(v)
	}
	return b.String()
}

// computed renders a computed placeholder ({@agent}, {@event}…) of a template.
func computed(name string, x *extraction, m *Message) string {
	switch name {
	case "agent":
		return m.Agent
	case "user":
		for _, u := range m.Usernames {
			if u != m.Agent {
				return u
			}
		}
		return m.Agent
	case "package":
		if len(m.Artifacts) > 0 {
			return m.Artifacts[0].Name
		}
	case "packages":
		pk := m.Packages()
		const maxListed = 3
		if len(pk) > maxListed {
			return strings.Join(pk[:maxListed], ", ") + " and " + itoa(len(pk)-maxListed) + " more"
		}
		return strings.Join(pk, ", ")
	case "topic":
		return x.topic
	case "event":
		// The topic after its application word, in words: "update comment".
		return strings.ReplaceAll(x.event(), ".", " ")
	}
	return ""
}

// event returns the topic after its application word, without a schema version such as the
// "v2" of "host.added.v2": "group.member.sponsor" for fas.group.member.sponsor.
func (x *extraction) event() string {
	_, ev, _ := strings.Cut(x.topic, ".")
	if i := strings.LastIndexByte(ev, '.'); i > 0 && isVersionWord(ev[i+1:]) {
		ev = ev[:i]
	}
	return ev
}

// itoa formats a non-negative integer in decimal.
func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return string(buf[i:])
}

// render returns the override a rule's code set, else the first template that renders.
func (x *extraction) render(r *rule, pick func(*rule) []template, m *Message) string {
	if r == nil {
		return ""
	}
	for _, t := range pick(r) {
		if s := t.exec(x, m); s != "" {
			return s
		}
	}
	return ""
}

// isVersionWord reports whether w is a schema version word such as "v2".
func isVersionWord(w string) bool {
	if len(w) < 2 || w[0] != 'v' {
		return false
	}
	for i := 1; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}
