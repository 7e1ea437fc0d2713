package rules

import "strings"

// Weight is what a filter asks of the matcher, as per-user quotas count it: how many values its
// conditions list, and how many of its topic patterns start with a wildcard, which the topic
// index cannot narrow by a prefix and so tries against every message.
type Weight struct {
	// Values is the number of values over all conditions.
	Values int
	// LeadingWildcards is the number of topic glob patterns whose first character is a
	// wildcard ("*.bodhi.*", "?rg.*", "[a-z]*").
	LeadingWildcards int
}

// Add returns w plus o.
func (w Weight) Add(o Weight) Weight {
	return Weight{Values: w.Values + o.Values, LeadingWildcards: w.LeadingWildcards + o.LeadingWildcards}
}

// Weight returns the filter's weight.
func (f *Filter) Weight() Weight {
	var w Weight
	for i := range f.Conditions {
		c := &f.Conditions[i]
		w.Values += len(c.Values)
		if c.Field != FieldTopic || c.EffectiveOp() != OpGlob {
			continue
		}
		for _, v := range c.Values {
			if v != "" && strings.IndexByte(topicMeta, v[0]) >= 0 {
				w.LeadingWildcards++
			}
		}
	}
	return w
}
