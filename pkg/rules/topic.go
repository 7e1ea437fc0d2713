package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gobwas/glob"
)

// topicMeta are the characters that make a topic value a pattern rather than an exact topic.
const topicMeta = "*?["

// prepareTopic compiles topic values: exact topics (no wildcard, or op in) and globs.
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
		t.globs = append(t.globs, g)
	}
	t.exact = newStrSet(exact)
	return t, nil
}

// topicGlob is a compiled topic pattern.
type topicGlob struct {
	pattern string
	// prefix is the literal text before the first wildcard.
	prefix string
	// prefixOnly is set when the pattern is prefix + "*": reaching the prefix is a match.
	prefixOnly bool
	g          *glob.Pattern
}

func (t *topicGlob) match(topic string) bool {
	if !strings.HasPrefix(topic, t.prefix) {
		return false
	}
	if t.prefixOnly {
		return true
	}
	return t.g.Match(topic)
}

// compileGlob compiles an fnmatch-style pattern (`*` any run of characters, dots included; `?` one
// character; `[abc]`, `[a-z]`, `[!abc]` classes) with gobwas/glob and no separators. Braces and
// backslashes, which gobwas treats specially and fnmatch does not, are escaped so they stay
// literal. Two deviations from Python's fnmatch, both refused as bad globs: an unclosed `[`
// (fnmatch takes it literally), and a class mixing a range with other characters (`[a-z0-9]`),
// which gobwas cannot express.
func compileGlob(p string) (*topicGlob, error) {
	var b strings.Builder
	inClass := false
	classStart := 0
	for j := 0; j < len(p); j++ {
		c := p[j]
		if inClass {
			switch {
			case c == ']' && j > classStart:
				inClass = false
				b.WriteByte(c)
			case c == '\\' || c == ']' || c == '[' || c == '{' || c == '}':
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
			continue
		}
		switch c {
		case '[':
			inClass = true
			classStart = j + 1
			if j+1 < len(p) && p[j+1] == '!' {
				classStart = j + 2
				b.WriteString("[!")
				j++
				continue
			}
			b.WriteByte(c)
		case '{', '}', '\\', ']':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return nil, errors.New("unclosed [")
	}
	g, err := glob.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	k := strings.IndexAny(p, topicMeta)
	if k < 0 { // no wildcard: the whole pattern is literal (prepareTopic treats it as exact)
		k = len(p)
	}
	t := &topicGlob{pattern: p, prefix: p[:k], g: g}
	t.prefixOnly = k == len(p)-1 && p[k] == '*'
	return t, nil
}
