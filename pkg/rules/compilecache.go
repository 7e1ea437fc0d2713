package rules

import (
	"regexp"
	"strings"
)

// compileCache shares compiled globs and regexps between the filters of one snapshot: many users
// write the same patterns, and compiling each once keeps Compile fast and the matcher small. A
// nil *compileCache compiles everything afresh.
type compileCache struct {
	globs   map[string]*topicGlob
	regexps map[string]*regexp.Regexp
	// topics and bodies share identical topic and body conditions, keyed by cacheKey.
	topics map[string]*topicCond
	bodies map[string]*bodyCond
}

func newCompileCache() *compileCache {
	return &compileCache{
		globs:   make(map[string]*topicGlob),
		regexps: make(map[string]*regexp.Regexp),
		topics:  make(map[string]*topicCond),
		bodies:  make(map[string]*bodyCond),
	}
}

// cacheKey identifies a condition's test (not its negation) for sharing.
func cacheKey(op Op, path string, values []string) string {
	var b strings.Builder
	b.WriteString(string(op))
	b.WriteByte(0)
	b.WriteString(path)
	for _, v := range values {
		b.WriteByte(0)
		b.WriteString(v)
	}
	return b.String()
}

func (cc *compileCache) glob(p string) (*topicGlob, error) {
	if cc == nil {
		return compileGlob(p)
	}
	if g, ok := cc.globs[p]; ok {
		return g, nil
	}
	g, err := compileGlob(p)
	if err == nil {
		cc.globs[p] = g
	}
	return g, err
}

func (cc *compileCache) regexp(expr string) (*regexp.Regexp, error) {
	if cc == nil {
		return regexp.Compile(expr)
	}
	if re, ok := cc.regexps[expr]; ok {
		return re, nil
	}
	re, err := regexp.Compile(expr)
	if err == nil {
		cc.regexps[expr] = re
	}
	return re, err
}
