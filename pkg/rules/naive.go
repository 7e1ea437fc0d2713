package rules

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"fmn/pkg/message"
)

// InvalidFilter names a filter that a matcher skipped because it does not validate.
type InvalidFilter struct {
	ID   int64  `json:"id"`
	User string `json:"user"`
	// Reason is Err's text, for JSON.
	Reason string `json:"reason"`
	// Err is the validation error, usually a *ValidationError.
	Err error `json:"-"`
}

func invalidFilter(f *Filter, err error) InvalidFilter {
	return InvalidFilter{ID: f.ID, User: f.User, Reason: err.Error(), Err: err}
}

// NaiveMatcher is the reference evaluator: it checks every enabled filter of every user against
// each message. It is slow by design (its cost grows with the number of filters) and exists so
// tests can check the compiled Matcher against it.
type NaiveMatcher struct {
	p       *program
	invalid []InvalidFilter
}

// Naive builds the reference evaluator for s. Disabled filters, filters that do not validate and
// filters past the budget of s (as Compile counts it) are skipped; Invalid lists the latter two.
func Naive(s *Snapshot) *NaiveMatcher {
	own := newOwnerIndex(s)
	n := &NaiveMatcher{p: newProgram(own, len(s.Filters))}
	over := budgetOf(s).overBudget(s.Filters, userOrder(s.Filters))
	for i := range s.Filters {
		f := &s.Filters[i]
		if !f.Enabled {
			continue
		}
		if err, ok := over[int32(i)]; ok {
			n.invalid = append(n.invalid, invalidFilter(f, err))
			continue
		}
		b, err := bindFilter(f, own, nil)
		if err != nil {
			n.invalid = append(n.invalid, invalidFilter(f, err))
			continue
		}
		n.p.emit(b)
	}
	n.p.done()
	return n
}

// Invalid lists the enabled filters that were skipped because they do not validate.
func (n *NaiveMatcher) Invalid() []InvalidFilter { return n.invalid }

// Match returns the notifications m gives rise to, by evaluating every filter. now is accepted
// for time-based conditions; none uses it yet.
func (n *NaiveMatcher) Match(m *message.Message, now time.Time) []Match {
	_ = now
	x := msgCtx{fullParse: true} // the reference reads the whole body, as doc.go describes
	x.reset(m, n.p.own)
	var hits []hit
	for i := range n.p.filters {
		f := &n.p.filters[i]
		if f.dests.n == 0 || !n.p.matches(f, &x) {
			continue
		}
		hits = n.p.appendHits(hits, f)
	}
	return buildMatches(hits)
}

// hit is one (user, destination, filter) triple of a matching filter.
type hit struct {
	user   string
	dest   int64
	filter int64
}

func (p *program) appendHits(hits []hit, f *cfilter) []hit {
	user := p.own.name(f.user)
	for _, d := range p.dests[f.dests.start : f.dests.start+f.dests.n] {
		hits = append(hits, hit{user: user, dest: d, filter: f.id})
	}
	return hits
}

func compareHits(a, b hit) int {
	if c := strings.Compare(a.user, b.user); c != 0 {
		return c
	}
	if c := cmp.Compare(a.dest, b.dest); c != 0 {
		return c
	}
	return cmp.Compare(a.filter, b.filter)
}

func compareDestFilter(a, b hit) int {
	if c := cmp.Compare(a.dest, b.dest); c != 0 {
		return c
	}
	return cmp.Compare(a.filter, b.filter)
}

// buildMatches sorts hits (in place) and groups them into one Match per (user, destination), with
// sorted, unique filter ids. It returns nil for no hits.
func buildMatches(hits []hit) []Match {
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, compareHits)
	return groupHits(hits)
}

// buildMatchesByUser is buildMatches for hits already grouped by user in increasing user order
// (as the compiled matcher produces them): it only sorts within each user's run.
func buildMatchesByUser(hits []hit) []Match {
	if len(hits) == 0 {
		return nil
	}
	for i := 0; i < len(hits); {
		j := i + 1
		for j < len(hits) && hits[j].user == hits[i].user {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(hits[i:j], compareDestFilter)
		}
		i = j
	}
	return groupHits(hits)
}

// groupHits groups sorted hits.
func groupHits(hits []hit) []Match {
	n := 1
	for i := 1; i < len(hits); i++ {
		if hits[i].user != hits[i-1].user || hits[i].dest != hits[i-1].dest {
			n++
		}
	}
	out := make([]Match, 0, n)
	ids := make([]int64, 0, len(hits))
	for i := 0; i < len(hits); {
		j := i
		start := len(ids)
		for ; j < len(hits) && hits[j].user == hits[i].user && hits[j].dest == hits[i].dest; j++ {
			if len(ids) == start || ids[len(ids)-1] != hits[j].filter {
				ids = append(ids, hits[j].filter)
			}
		}
		out = append(out, Match{User: hits[i].user, Destination: hits[i].dest, Filters: ids[start:len(ids):len(ids)]})
		i = j
	}
	return out
}
