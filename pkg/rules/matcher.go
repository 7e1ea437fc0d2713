package rules

import (
	"errors"
	"math"
	"runtime"
)

// Stats describes a compiled Matcher: how its filters were indexed. The web UI warns about
// always-check filters, which cost a verification on every message.
type Stats struct {
	// Filters is the number of filters in the snapshot.
	Filters int `json:"filters"`
	// Disabled filters are skipped.
	Disabled int `json:"disabled"`
	// Invalid filters do not validate and are skipped; Matcher.Invalid lists them.
	Invalid int `json:"invalid"`
	// OverBudget counts enabled filters skipped because they take their user past the budget
	// (see Budget); Matcher.Invalid lists them too.
	OverBudget int `json:"over_budget"`
	// NoDestinations counts enabled, valid filters that send nowhere and so are skipped.
	NoDestinations int `json:"no_destinations"`
	// Unmatchable counts filters with a positive owned condition whose owners own nothing (of
	// the requested type): they cannot match until ownership changes, and are skipped.
	Unmatchable int `json:"unmatchable"`
	// Indexed counts filters reachable through an index; AlwaysCheck those verified on every
	// message. Indexed + AlwaysCheck is the number of live filters.
	Indexed     int `json:"indexed"`
	AlwaysCheck int `json:"always_check"`
	// ByUser … ByApp count the indexed filters by the field of the condition they are indexed
	// under (ByUser includes agent conditions; ByTopic exact topics, ByTopicGlob topics with a
	// wildcard).
	ByUser      int `json:"by_user"`
	ByArtifact  int `json:"by_artifact"`
	ByOwned     int `json:"by_owned"`
	ByGroup     int `json:"by_group"`
	ByTopic     int `json:"by_topic"`
	ByTopicGlob int `json:"by_topic_glob"`
	ByApp       int `json:"by_app"`
	// ByBody counts the filters indexed under a body condition with op eq or in, by the scalar at
	// its path.
	ByBody int `json:"by_body"`
	// Postings is the total number of (key, filter) entries across all indexes (an owned
	// condition counts once per owner).
	Postings int `json:"postings"`
	// GlobPatterns is the number of distinct topic patterns in the trie; TrieNodes its size.
	GlobPatterns int `json:"glob_patterns"`
	TrieNodes    int `json:"trie_nodes"`
	// WildcardPatterns is the number of distinct topic patterns with no literal prefix, found
	// through a word or trigram they require; ScannedPatterns counts those among them that
	// require none and so are tried against every message.
	WildcardPatterns int `json:"wildcard_patterns"`
	ScannedPatterns  int `json:"scanned_patterns"`
	// BadOwnership counts ignored ownership rows (neither or both of user and group, no name).
	BadOwnership int `json:"bad_ownership"`
}

// MatchInfo describes the work one Match call did.
type MatchInfo struct {
	// Candidates is the number of filters verified (index hits plus the always-check list; with
	// an overlay, those of the base, less the patched users', plus those of the overlay).
	Candidates int
	// BodyParsed says whether the body had to be read (scanned once for the paths the filters
	// use: by a candidate's body condition, or by the index of body values).
	BodyParsed bool
}

// Matcher is the compiled, indexed form of a snapshot. It is immutable and safe for concurrent
// use; build a new one with Compile when the snapshot changes, or with WithUsers when a few users'
// filters do.
type Matcher struct {
	// index is the compiled base, shared by every Matcher derived from it with WithUsers.
	*index
	// ov holds the users patched on top of the base; nil for none.
	ov *overlay

	invalid []InvalidFilter
	// free holds per-call state for reuse, so matching allocates nothing when nothing matches.
	// A bounded channel rather than a sync.Pool: a pool is emptied by every GC, and a scratch
	// holds a stamp per filter (1.6 MB at 400k filters), too much to reallocate after each GC.
	// Matchers derived with WithUsers share their base's channel.
	free chan *scratch
}

// ErrTooManyFilters is returned by Compile for a snapshot beyond what a Matcher can index.
var ErrTooManyFilters = errors.New("too many filters")

// Compile validates and indexes every enabled filter of s, within the per-user budget of s
// (DefaultBudget when s names none). Filters that do not validate or pass the budget are skipped
// and listed by Invalid; Compile fails only when s is nil or too large.
func Compile(s *Snapshot) (*Matcher, error) {
	if s == nil {
		return nil, errors.New("compile rules: nil snapshot")
	}
	if len(s.Filters) > math.MaxInt32 {
		return nil, ErrTooManyFilters
	}
	own := newOwnerIndex(s)
	ix, invalid := compileIndex(s.Filters, own, budgetOf(s))
	ix.stats.BadOwnership = own.bad
	return &Matcher{index: ix, invalid: invalid, free: make(chan *scratch, 2*runtime.GOMAXPROCS(0))}, nil
}

// Stats describes how the filters were indexed. On a Matcher made by WithUsers it describes the
// compiled base (patched users' old filters included); OverlayStats describes the patch.
func (c *Matcher) Stats() Stats { return c.stats }

// Invalid lists the enabled filters that were skipped because they do not validate, or pass the
// budget (with a *BudgetError), in (user, id) order. On a Matcher made by WithUsers it lists
// those of the base's unpatched users and
// those of the replacements, and builds that list on each call.
func (c *Matcher) Invalid() []InvalidFilter {
	if c.ov == nil {
		return c.invalid
	}
	return c.ov.mergeInvalid(c.invalid)
}
