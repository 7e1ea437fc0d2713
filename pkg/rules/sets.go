package rules

import "slices"

// strSet is a set of strings: a plain list while small (faster than hashing), plus a map when
// large.
type strSet struct {
	list []string
	m    map[string]struct{}
}

// strSetMapMin is the size from which a strSet also builds a map.
const strSetMapMin = 12

func newStrSet(values []string) strSet {
	s := strSet{list: values}
	if len(values) >= strSetMapMin {
		s.m = make(map[string]struct{}, len(values))
		for _, v := range values {
			s.m[v] = struct{}{}
		}
	}
	return s
}

func (s *strSet) has(v string) bool {
	if s.m != nil {
		_, ok := s.m[v]
		return ok
	}
	for _, x := range s.list {
		if x == v {
			return true
		}
	}
	return false
}

// hasBytes is has for a value held as bytes, without converting it to a string.
func (s *strSet) hasBytes(v []byte) bool {
	if s.m != nil {
		_, ok := s.m[string(v)]
		return ok
	}
	for _, x := range s.list {
		if x == string(v) {
			return true
		}
	}
	return false
}

// idSet is a sorted set of symbol ids. Id 0 (a name nobody mentions) is never in a set.
type idSet []uint32

// idSetLinearMax is the size up to which has scans rather than bisects.
const idSetLinearMax = 16

func newIDSet(own *ownerIndex, values []string) idSet {
	s := make(idSet, len(values))
	for i, v := range values {
		s[i] = own.intern(v)
	}
	slices.Sort(s)
	return slices.Clip(slices.Compact(s))
}

func (s idSet) has(id uint32) bool {
	if len(s) <= idSetLinearMax {
		for _, x := range s {
			if x == id {
				return true
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(s, id)
	return ok
}
