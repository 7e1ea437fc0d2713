package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// pathSeg is one step of a body path: a key, or an array index when key is empty and index >= 0.
type pathSeg struct {
	key   string
	index int
}

// parsePath parses a dotted JSON path with [n] indices, such as "update.status",
// "builds[0].nvr" or "[0].name". Keys may hold any character but '.', '[' and ']'.
func parsePath(p string) ([]pathSeg, error) {
	if p == "" {
		return nil, errors.New("empty path")
	}
	if len(p) > MaxPathLen {
		return nil, fmt.Errorf("path of %d bytes, longer than the limit of %d", len(p), MaxPathLen)
	}
	var segs []pathSeg
	j := 0
	expectKey := p[0] != '['
	for j < len(p) {
		if p[j] == '[' {
			end := strings.IndexByte(p[j:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unclosed [ at %d", j)
			}
			num := p[j+1 : j+end]
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > MaxPathIndex || num != strconv.Itoa(n) {
				return nil, fmt.Errorf("bad index %q at %d", num, j)
			}
			segs = append(segs, pathSeg{index: n})
			j += end + 1
			if j < len(p) {
				switch p[j] {
				case '.':
					j++
					if j == len(p) {
						return nil, errors.New("path ends with a dot")
					}
					expectKey = true
				case '[':
				default:
					return nil, fmt.Errorf("unexpected %q at %d", p[j], j)
				}
			}
			continue
		}
		if !expectKey {
			return nil, fmt.Errorf("unexpected %q at %d", p[j], j)
		}
		end := j
		for end < len(p) && p[end] != '.' && p[end] != '[' && p[end] != ']' {
			end++
		}
		if end == j {
			return nil, fmt.Errorf("empty key at %d", j)
		}
		segs = append(segs, pathSeg{key: p[j:end], index: -1})
		j = end
		expectKey = false
		if j < len(p) {
			switch p[j] {
			case '.':
				j++
				if j == len(p) {
					return nil, errors.New("path ends with a dot")
				}
				expectKey = true
			case ']':
				return nil, fmt.Errorf("unexpected ] at %d", j)
			}
		}
	}
	if len(segs) > MaxPathDepth {
		return nil, fmt.Errorf("path of %d segments, deeper than the limit of %d", len(segs), MaxPathDepth)
	}
	return segs, nil
}

// prepareBody checks a body condition's path and values and compiles them: a set for eq and in,
// a regexp for regex.
func prepareBody(i int, c *Condition, op Op, cc *compileCache) (b *bodyCond, err error) {
	if c.Path == "" {
		return nil, condErr(i, FieldBody, nil, "no path")
	}
	if cc != nil {
		key := cacheKey(op, c.Path, c.Values)
		if b, ok := cc.bodies[key]; ok {
			return b, nil
		}
		defer func() {
			if err == nil {
				cc.bodies[key] = b
			}
		}()
	}
	segs, err := parsePath(c.Path)
	if err != nil {
		return nil, condErr(i, FieldBody, err, "bad path %q", c.Path)
	}
	b = &bodyCond{path: segs}
	switch op {
	case OpEq:
		if len(c.Values) != 1 {
			return nil, condErr(i, FieldBody, nil, "eq takes exactly one value, got %d", len(c.Values))
		}
		b.set = newStrSet(c.Values)
	case OpIn:
		b.set = newStrSet(c.Values)
	case OpRegex:
		if len(c.Values) != 1 {
			return nil, condErr(i, FieldBody, nil, "regex takes exactly one value, got %d", len(c.Values))
		}
		if len(c.Values[0]) > MaxRegexLen {
			return nil, condErr(i, FieldBody, nil, "regex of %d bytes, longer than the limit of %d", len(c.Values[0]), MaxRegexLen)
		}
		re, err := cc.regexp(c.Values[0])
		if err != nil {
			return nil, condErr(i, FieldBody, err, "bad regex %q", c.Values[0])
		}
		b.re = re
	}
	return b, nil
}

// test reports whether the string form of a scalar satisfies the condition, before negation.
func (b *bodyCond) test(s []byte) bool {
	if b.re != nil {
		return b.re.Match(s)
	}
	return b.set.hasBytes(s)
}

// scalarAt returns the string form of the scalar at path: a string as is, a number as written, a
// boolean as true/false, null as "null". A missing path, or an object or array there, gives false.
func scalarAt(v any, path []pathSeg) (string, bool) {
	for _, s := range path {
		if s.index >= 0 {
			arr, ok := v.([]any)
			if !ok || s.index >= len(arr) {
				return "", false
			}
			v = arr[s.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = obj[s.key]; !ok {
			return "", false
		}
	}
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	case nil:
		return "null", true
	}
	return "", false
}
