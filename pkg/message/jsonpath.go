package message

import (
	"bytes"
	"encoding/json"
	"strings"
)

// A path addresses values inside a decoded JSON body. It is written as dot-separated steps:
//
//	name     the member "name" of an object
//	name[]   the member "name" of an object, then each element of that array
//	*        each member value of an object
//	~        each member name of an object (for maps keyed by user, such as meetbot attendees)
//
// So "update.builds[].nvr" yields the nvr of every build of the update. Paths are compiled once
// (package-level rule tables hold compiled paths and are never mutated).
type path []step

// stepKind says what a step of a path does.
type stepKind uint8

// The kinds of step: name, name[], * and ~ in the path syntax above.
const (
	stepKey stepKind = iota
	stepKeyEach
	stepValues
	stepKeys
)

// step is one step of a path: a key, or a walk over elements, values or keys.
type step struct {
	kind stepKind
	key  string
}

// mustPath compiles a path written in the syntax above. It panics on an empty step, so a typo in
// a rule table fails at start-up (and in every test), never at run time on a message.
func mustPath(s string) path {
	parts := strings.Split(s, ".")
	p := make(path, 0, len(parts))
	for _, part := range parts {
		switch {
		case part == "*":
			p = append(p, step{kind: stepValues})
		case part == "~":
			p = append(p, step{kind: stepKeys})
		case strings.HasSuffix(part, "[]") && len(part) > 2:
			p = append(p, step{kind: stepKeyEach, key: strings.TrimSuffix(part, "[]")})
		case part != "" && !strings.Contains(part, "[]"):
			p = append(p, step{kind: stepKey, key: part})
		default:
			panic("message: bad path " + s)
		}
	}
	return p
}

// mustPaths compiles several paths with mustPath.
func mustPaths(ss ...string) []path {
	out := make([]path, len(ss))
	for i, s := range ss {
		out[i] = mustPath(s)
	}
	return out
}

// each calls fn for every value p addresses in v. Missing members and type mismatches yield
// nothing. JSON null leaves are skipped.
func (p path) each(v any, fn func(any)) {
	if len(p) == 0 {
		if v != nil {
			fn(v)
		}
		return
	}
	s, rest := p[0], p[1:]
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	switch s.kind {
	case stepKey:
		if c, ok := obj[s.key]; ok {
			rest.each(c, fn)
		}
	case stepKeyEach:
		if arr, ok := obj[s.key].([]any); ok {
			for _, e := range arr {
				rest.each(e, fn)
			}
		}
	case stepValues:
		for _, c := range obj {
			rest.each(c, fn)
		}
	case stepKeys:
		if len(rest) != 0 {
			return
		}
		for k := range obj {
			fn(k)
		}
	}
}

// get returns the first value p addresses in v, or nil.
func (p path) get(v any) any {
	var first any
	p.each(v, func(x any) {
		if first == nil {
			first = x
		}
	})
	return first
}

// getPath is a convenience for code-based extractors: it compiles nothing and walks object keys.
func getPath(v any, keys ...string) any {
	for _, k := range keys {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[k]
	}
	return v
}

// getString returns the string at keys, trimmed, or "".
func getString(v any, keys ...string) string {
	s, _ := getPath(v, keys...).(string)
	return strings.TrimSpace(s)
}

// has reports whether the object member at keys exists (even if null).
func has(v any, keys ...string) bool {
	if len(keys) == 0 {
		return v != nil
	}
	obj, ok := getPath(v, keys[:len(keys)-1]...).(map[string]any)
	if !ok {
		return false
	}
	_, ok = obj[keys[len(keys)-1]]
	return ok
}

// decodeBody decodes a JSON body with numbers kept as json.Number, so ids survive unchanged.
func decodeBody(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// scalarString renders a JSON scalar (string, number, bool) as text; "" for anything else.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

// each calls fn for every element of v if it is an array.
func each(v any, fn func(any)) {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			fn(e)
		}
	}
}
