package rules

import "strings"

// Weight is what a filter asks of the matcher, as per-user budgets (Budget) and quotas count it:
// how many values its conditions list, how many of its topic patterns start with a wildcard (and
// how many of those hold no literal the matcher can look them up by), and how many regular
// expressions it runs.
type Weight struct {
	// Values is the number of values over all conditions.
	Values int
	// LeadingWildcards is the number of topic glob patterns whose first character is a
	// wildcard ("*.bodhi.*", "?rg.*", "[a-z]*"): the topic index finds them only through a word
	// or three characters in a row they require.
	LeadingWildcards int
	// Unindexed is the number of those that require no such literal ("*", "*.*", "*a*b*"):
	// each is tried against every message.
	Unindexed int
	// Regexps is the number of regular expressions (values of regex conditions), each run on
	// the body of every message the filter's other conditions let through.
	Regexps int
}

// Add returns w plus o.
func (w Weight) Add(o Weight) Weight {
	return Weight{Values: w.Values + o.Values, LeadingWildcards: w.LeadingWildcards + o.LeadingWildcards,
		Unindexed: w.Unindexed + o.Unindexed, Regexps: w.Regexps + o.Regexps}
}

// Weight returns the filter's weight.
func (f *Filter) Weight() Weight {
	var w Weight
	for i := range f.Conditions {
		c := &f.Conditions[i]
		w.Values += len(c.Values)
		op := c.EffectiveOp()
		if op == OpRegex {
			w.Regexps += len(c.Values)
		}
		if c.Field != FieldTopic || op != OpGlob {
			continue
		}
		for _, v := range c.Values {
			if v != "" && strings.IndexByte(topicMeta, v[0]) >= 0 {
				w.LeadingWildcards++
				if !requiredLiteral(v).indexable() {
					w.Unindexed++
				}
			}
		}
	}
	return w
}
