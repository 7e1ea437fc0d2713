// Package preview evaluates one user's filter, saved or not, over a set of messages: what it
// would have matched (with counts by topic and application, and examples), and which of its
// conditions hold for one message (the "why did I get this" page). It compiles the filter with
// pkg/rules exactly as a worker does, on a snapshot holding that filter and the ownership it needs.
// A Runner does it over the archive's latest messages, within the user's preview rate, for the
// API's preview and the filter editor alike.
package preview

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// MaxSamples is how many matched messages a Result shows.
const MaxSamples = 20

// maxCounts is how many topics or applications a Result lists.
const maxCounts = 10

// Count is how many matched messages had one topic or application.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Sample is a matched message, as the page lists it.
type Sample struct {
	ID      string    `json:"id"`
	Topic   string    `json:"topic"`
	Summary string    `json:"summary"`
	URL     string    `json:"url,omitempty"`
	SentAt  time.Time `json:"sent_at,omitzero"`
}

// Result is what a filter would have matched.
type Result struct {
	// Scanned is how many messages were looked at, from Oldest to Newest (sent times).
	Scanned        int       `json:"scanned"`
	Matched        int       `json:"matched"`
	Oldest, Newest time.Time `json:"-"`
	ByTopic        []Count   `json:"by_topic"`
	ByApp          []Count   `json:"by_app"`
	Samples        []Sample  `json:"samples"`
}

// previewDestination is the destination the compiled copy of the filter sends to: matching
// reports (user, destination) pairs, so a filter must send somewhere to be reported.
const previewDestination = 1

// compile returns a matcher of f alone (owned by f.User) with the ownership and memberships in
// own. An invalid filter gives its *rules.ValidationError.
func compile(f rules.Filter, own rules.Snapshot) (*rules.Matcher, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	f.ID, f.Enabled, f.Destinations = 1, true, []int64{previewDestination}
	m, err := rules.Compile(&rules.Snapshot{Filters: []rules.Filter{f}, Ownership: own.Ownership, Memberships: own.Memberships})
	if err != nil {
		return nil, fmt.Errorf("compile preview: %w", err)
	}
	if inv := m.Invalid(); len(inv) > 0 {
		return nil, fmt.Errorf("compile preview: %v", inv[0])
	}
	return m, nil
}

// Run evaluates f over msgs (newest first, as the recent window gives them).
func Run(f rules.Filter, own rules.Snapshot, msgs []message.Message, now time.Time) (Result, error) {
	m, err := compile(f, own)
	if err != nil {
		return Result{}, err
	}
	res := Result{Scanned: len(msgs)}
	topics, apps := map[string]int{}, map[string]int{}
	for i := range msgs {
		msg := &msgs[i]
		if t := msg.SentAt; !t.IsZero() {
			if res.Oldest.IsZero() || t.Before(res.Oldest) {
				res.Oldest = t
			}
			if t.After(res.Newest) {
				res.Newest = t
			}
		}
		if len(m.Match(msg, now)) == 0 {
			continue
		}
		res.Matched++
		topics[msg.Topic]++
		if msg.App != "" {
			apps[msg.App]++
		}
		if len(res.Samples) < MaxSamples {
			res.Samples = append(res.Samples, Sample{ID: msg.ID, Topic: msg.Topic, Summary: cmp.Or(msg.Summary, msg.Topic),
				URL: msg.URL, SentAt: msg.SentAt})
		}
	}
	res.ByTopic, res.ByApp = top(topics), top(apps)
	return res, nil
}

// top returns the maxCounts largest counts, largest first.
func top(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Count: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key)) })
	return out[:min(len(out), maxCounts)]
}

// Explain reports, for each condition of f, whether it holds for msg, and whether f as a whole
// matches it.
func Explain(f rules.Filter, own rules.Snapshot, msg message.Message, now time.Time) (holds []bool, matches bool, err error) {
	whole, err := compile(f, own)
	if err != nil {
		return nil, false, err
	}
	matches = len(whole.Match(&msg, now)) > 0
	holds = make([]bool, len(f.Conditions))
	for i, c := range f.Conditions {
		// A condition alone, not negated (a filter of negated conditions only is invalid): it
		// holds when the test passes, inverted for a negated condition.
		positive := c
		positive.Negate = false
		one := f
		one.Conditions = []rules.Condition{positive}
		m, err := compile(one, own)
		if err != nil {
			return nil, false, err
		}
		holds[i] = (len(m.Match(&msg, now)) > 0) != c.Negate
	}
	return holds, matches, nil
}
