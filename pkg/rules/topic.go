package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gobwas/glob"
	"github.com/gobwas/glob/syntax"
)

// topicMeta are the characters that make a topic value a pattern rather than an exact topic.
const topicMeta = "*?["

// prepareTopic compiles topic values: exact topics (no wildcard, or op in) and globs. A glob
// that parses to literal text only ("a[.]b", an unclosed "a[b") is the exact topic it spells.
func prepareTopic(i int, values []string, op Op, cc *compileCache) (t *topicCond, err error) {
	if cc != nil {
		key := cacheKey(op, "", values)
		if t, ok := cc.topics[key]; ok {
			return t, nil
		}
		defer func() {
			if err == nil {
				cc.topics[key] = t
			}
		}()
	}
	t = &topicCond{}
	var exact []string
	for _, v := range values {
		if strings.HasPrefix(v, "@") {
			return nil, condErr(i, FieldTopic, nil, "%q makes no sense on a topic condition", v)
		}
		if op == OpIn || !strings.ContainsAny(v, topicMeta) {
			exact = append(exact, v)
			continue
		}
		g, err := cc.glob(v)
		if err != nil {
			return nil, condErr(i, FieldTopic, err, "bad glob %q", v)
		}
		if g.tail == tailNone {
			exact = append(exact, g.prefix)
			continue
		}
		t.globs = append(t.globs, g)
	}
	t.exact = newStrSet(exact)
	return t, nil
}

// tailKind says how a topicGlob matches what follows its literal prefix.
type tailKind uint8

const (
	// tailNone: nothing may follow; the pattern is literal text.
	tailNone tailKind = iota
	// tailAny: anything may follow (the pattern is prefix + "*").
	tailAny
	// tailGlob: gobwas/glob matches the rest.
	tailGlob
	// tailRegexp: a regexp matches the rest, for the classes gobwas cannot express.
	tailRegexp
)

// topicGlob is a compiled topic pattern: a literal prefix, and a matcher for the rest.
type topicGlob struct {
	pattern string
	// prefix is the literal text before the first wildcard or class; the glob trie is keyed
	// on it.
	prefix string
	tail   tailKind
	g      *glob.Pattern
	re     *regexp.Regexp
}

func (t *topicGlob) match(topic string) bool {
	if !strings.HasPrefix(topic, t.prefix) {
		return false
	}
	rest := topic[len(t.prefix):]
	switch t.tail {
	case tailAny:
		return true
	case tailGlob:
		return t.g.Match(rest)
	case tailRegexp:
		return t.re.MatchString(rest)
	}
	return rest == ""
}

// compileGlob compiles a topic pattern with Python's fnmatch semantics (see parseGlob). The
// literal prefix is compared as a string; the rest goes to gobwas/glob (with no separators, its
// `*` and `?` are fnmatch's), escaped so that its own syntax (braces, backslashes) stays literal,
// except when it holds a class gobwas cannot express (several ranges, or a range with other
// characters: "[a-z0-9]"), which is translated to an RE2 regexp instead (linear time, somewhat
// slower). It refuses only what parseGlob refuses.
func compileGlob(p string) (*topicGlob, error) {
	toks, err := parseGlob(p)
	if err != nil {
		return nil, err
	}
	k := 0
	var prefix strings.Builder
	for ; k < len(toks) && toks[k].kind == tokLiteral; k++ {
		prefix.WriteRune(toks[k].r)
	}
	t := &topicGlob{pattern: p, prefix: prefix.String()}
	rest := toks[k:]
	switch {
	case len(rest) == 0:
		t.tail = tailNone
	case len(rest) == 1 && rest[0].kind == tokStar:
		t.tail = tailAny
	default:
		if src, ok := gobwasSource(rest); ok {
			t.tail = tailGlob
			if t.g, err = glob.Compile(src); err != nil {
				return nil, fmt.Errorf("compile %q: %w", src, err)
			}
			break
		}
		t.tail = tailRegexp
		src := regexpSource(rest)
		if t.re, err = regexp.Compile(src); err != nil {
			return nil, fmt.Errorf("compile %q: %w", src, err)
		}
	}
	return t, nil
}

// gobwasSource writes toks in gobwas/glob's syntax; ok is false when a class has no exact
// gobwas form.
func gobwasSource(toks []globTok) (src string, ok bool) {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokLiteral:
			if t.r < utf8.RuneSelf && syntax.IsSpecial(byte(t.r)) {
				b.WriteByte('\\')
			}
			b.WriteRune(t.r)
		case tokOne:
			b.WriteByte('?')
		case tokStar:
			b.WriteByte('*')
		case tokClass:
			if !writeGobwasClass(&b, t.class) {
				return "", false
			}
		}
	}
	return b.String(), true
}

// writeGobwasClass writes cl as a gobwas class if it has an exact form there. gobwas reads a
// class as either one range, `[lo-hi]` with lo and hi taken as they are, or a list of
// characters with `\` escapes, where a `!` first negates and a `-` second makes a range; so a
// list puts its `-` first, and a positive list does not start with `!`. It has no form for a
// class with several ranges, or a range and characters, nor for a positive range from `!`.
func writeGobwasClass(b *strings.Builder, cl *globClass) bool {
	switch {
	case len(cl.ranges) == 1 && len(cl.chars) == 0:
		r := cl.ranges[0]
		if !cl.negated && r.lo == '!' {
			return false
		}
		b.WriteByte('[')
		if cl.negated {
			b.WriteByte('!')
		}
		b.WriteRune(r.lo)
		b.WriteByte('-')
		b.WriteRune(r.hi)
		b.WriteByte(']')
		return true
	case len(cl.ranges) == 0:
		b.WriteByte('[')
		if cl.negated {
			b.WriteByte('!')
		}
		for _, c := range gobwasListOrder(cl) {
			if c == '\\' || c == ']' {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
		b.WriteByte(']')
		return true
	}
	return false
}

// gobwasListOrder returns cl's characters in an order gobwas reads as a plain list: `-` first,
// and, in a positive class, `!` not first.
func gobwasListOrder(cl *globClass) []rune {
	cs := cl.chars
	var out []rune
	if i := slices.Index(cs, '-'); i >= 0 {
		out = append(out, '-')
		cs = slices.Delete(slices.Clone(cs), i, i+1)
	}
	if len(out) == 0 && !cl.negated && len(cs) > 1 && cs[0] == '!' {
		return append(append(out, cs[1:]...), '!')
	}
	return append(out, cs...)
}

// regexpSource translates toks to an RE2 expression matching the whole string. A leading or
// trailing `*` is left out with the anchor on its side (an unanchored search for the rest is the
// same test, and about twice as fast as matching the `.*`).
func regexpSource(toks []globTok) string {
	var b strings.Builder
	b.WriteString(`(?s)`)
	start, end := `\A`, `\z`
	if toks[0].kind == tokStar {
		start, toks = "", toks[1:]
	}
	if n := len(toks); n > 0 && toks[n-1].kind == tokStar {
		end, toks = "", toks[:n-1]
	}
	b.WriteString(start)
	for _, t := range toks {
		switch t.kind {
		case tokLiteral:
			b.WriteString(regexp.QuoteMeta(string(t.r)))
		case tokOne:
			b.WriteByte('.')
		case tokStar:
			b.WriteString(".*")
		case tokClass:
			b.WriteByte('[')
			if t.class.negated {
				b.WriteByte('^')
			}
			for _, c := range t.class.chars {
				writeRegexpClassRune(&b, c)
			}
			for _, r := range t.class.ranges {
				writeRegexpClassRune(&b, r.lo)
				b.WriteByte('-')
				writeRegexpClassRune(&b, r.hi)
			}
			b.WriteByte(']')
		}
	}
	b.WriteString(end)
	return b.String()
}

// writeRegexpClassRune writes c inside a regexp class, escaping ASCII punctuation (RE2 reads
// `\` before any of it as the character itself).
func writeRegexpClassRune(b *strings.Builder, c rune) {
	if c < utf8.RuneSelf && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
		b.WriteByte('\\')
	}
	b.WriteRune(c)
}
