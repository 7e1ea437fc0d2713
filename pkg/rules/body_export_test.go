package rules

import (
	"bytes"
	"encoding/json"
)

// BodyReaders returns the two ways a body condition can read paths from a body, for benchmarks:
// full decodes the whole body and looks each path up (what the naive evaluator does, and what
// the compiled matcher did before #21); onePass scans the body once for the paths, as the
// compiled matcher does. Each returns how many paths hold a scalar, or -1 when the body does not
// parse.
func BodyReaders(paths []string) (full, onePass func(body []byte) int) {
	bodies := make([]*bodyCond, len(paths))
	for i, p := range paths {
		segs, err := parsePath(p)
		if err != nil {
			panic(err)
		}
		bodies[i] = &bodyCond{path: segs}
	}
	full = func(body []byte) int {
		var root any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&root) != nil {
			return -1
		}
		n := 0
		for _, b := range bodies {
			if _, ok := scalarAt(root, b.path); ok {
				n++
			}
		}
		return n
	}
	bp := newBodyPaths(bodies)
	var s bodyScanner
	vals := make([]bodyVal, bp.slots)
	onePass = func(body []byte) int {
		if !s.extract(body, bp, vals) {
			return -1
		}
		n := 0
		for _, slot := range bp.slotOf {
			if vals[slot].ok {
				n++
			}
		}
		return n
	}
	return full, onePass
}
