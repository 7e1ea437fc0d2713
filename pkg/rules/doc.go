// Package rules is fmn's rules engine: the filter model (filters made of conditions), its
// validation and JSON form, a naive reference evaluator, and the compiled, indexed Matcher that
// matches one message against every user's filters without walking them all.
//
// The package is pure: no I/O and no clock reads; callers pass now.
//
// # Semantics
//
// A user's filters are ORed and a filter's conditions are ANDed. Disabled filters never match, and
// a filter with no destinations never produces a Match. A message gives at most one Match per
// (user, destination), listing the ids of every matching filter of that user that sends there,
// sorted; Matches are sorted by user, then destination. The naive and the compiled matcher return
// the same, deterministic output.
//
// Conditions (Field, Op, Values; Negate inverts one condition):
//
//   - topic, op glob (the default): the topic matches one of the patterns, with the semantics
//     of Python's fnmatch.fnmatchcase (3.9 and later), characters being Unicode code points:
//     `*` matches any run of characters, dots included; `?` one character; `[...]` one
//     character of a class, `[!...]` one not in it. A class runs to the next `]`, except that
//     a `]` right after `[` or `[!` is a member; in it, `x-y` is a range (`[a-z0-9_]`,
//     `[]-a]`, `[--/]`) unless the `-` is first, last or right after a range, where it is a
//     member, and every other character, `\` included, is itself. A `[` that no `]` closes,
//     and a `]`, `!`, `-` or `\` outside a class, are literal; there is no escape character,
//     so `[*]`, `[?]` and `[[]` match `*`, `?` and `[`. A value without `*`, `?` or `[`, or
//     one whose pattern spells literal text only (`a.[b].c`), is an exact topic. Op in
//     compares exactly. Validation refuses, as bad globs, a pattern with a reversed range
//     (fnmatch quietly drops it, so that `a[z-a]b` matches nothing and `[!z-a]` any
//     character; Python before 3.9 raised an error) and one that is not valid UTF-8.
//   - app, group, op in: the message's app is one of Values; one of its groups is.
//   - severity, op at_least (the default; one value) or in: values are 10, 20, 30, 40 or debug,
//     info, warning, error. A message severity between levels counts as the level below it.
//   - user, op in: one of the involved users (the message's Usernames and its Agent) is one of
//     Values; Me ("@me") stands for the filter's owner.
//   - agent, op in: the message's Agent is one of Values (Me allowed). A message without agent
//     does not satisfy it (so "not agent @me" holds).
//   - artifact, op in: one of the message's artifacts has one of the names in Values and, when
//     ArtifactType is set, that type.
//   - owned, op in: one of the message's artifacts (of ArtifactType, when set) is owned by one of
//     the owners in Values: Me (the filter's owner), a user name, "group:NAME", or MyGroups
//     ("@mygroups": any group the owner is a member of). A user owns only the artifacts listed
//     for that user in the snapshot's Ownership; ownership through a group counts only through
//     "group:NAME" or "@mygroups", so "artifacts I own" and "artifacts my groups own" stay
//     distinct, as in FMN. The compiled matcher binds owned conditions to their concrete owners
//     (@mygroups to the owner's groups) at Compile time, and finds them through the owners of the
//     message's artifacts (see Matching).
//   - body, ops eq, in (the default) and regex (RE2): Path is a dotted JSON path with [n] indices
//     ("update.status", "builds[0].nvr"); the condition compares the string form of the scalar
//     found there (strings as is, numbers as written, true/false, null as "null"). A missing path,
//     or an object or array at the path, does not hold (so, negated, it holds); nor does any body
//     condition when the body is not valid JSON (as encoding/json's Decoder reads it: the first
//     value, whatever follows ignored). Of duplicate keys, the last counts. The body is read only
//     when a candidate filter needs it, and then once: the naive evaluator parses it whole; the
//     compiled matcher scans it once for just the paths its filters use, skipping every other
//     value without building it, and tests each distinct body condition at most once (a
//     snapshot with a filter indexed under a body condition, see Matching, has it read always).
//
// Validation (Filter.Validate, ValidateConditions, ParseFilter) refuses unknown fields and
// operators, operators a field does not take, empty or too many values, bad globs, regexps,
// severities and paths, placeholders where they make no sense, and a filter whose conditions are
// all negations (or that has none): it would match almost everything. Limits are the Max*
// constants.
//
// # Matching
//
// Compile indexes each filter under its most selective positive condition, in this order: user
// or agent (with Me resolved), artifact, owned (posted once under each of its owners, users and
// groups, with @mygroups resolved through the memberships, and the artifact type it requires; a
// message finds it through the owners of its artifacts, so a SIG's hundreds of packages are
// never expanded per member, and the condition is not checked again), group, exact topic, topic glob (a byte trie keyed on each pattern's
// literal prefix, so a message tests only the patterns whose prefix its topic starts with), app,
// a topic pattern that starts with a wildcard (found through a literal it requires: the
// longest whole dot-separated word, or else three fixed bytes in a row, so a message tries only
// the patterns whose word is one of its topic's or whose trigram its topic holds; the few with no
// such literal are tried on every message, and what all of them yield is remembered per topic);
// then a body condition with op eq or in (found through the scalar the body holds at its path,
// so a snapshot with such filters has every message's body scanned once for its paths); ties go
// to the condition with fewer index keys. Filters with none of those (say, only severity and
// regex body conditions) go in an always-check list, whose size Stats reports (the UI warns about
// them); it is kept per severity level, so a filter that requires errors is not even a candidate
// for an info message. A filter with a
// positive owned condition whose owners own nothing cannot match and is left out.
//
// A message looks up its own attributes in the indexes, collects the candidate filters once each
// (a generation-stamped array, no per-message map) and verifies only them, skipping the
// condition it was found through when that lookup is exact. Names are compared as interned
// integer ids. Matching a message that matches nothing allocates nothing. A Matcher is immutable
// and safe for concurrent use; build a new one when the snapshot changes.
//
// # Budget
//
// Compile, WithUsers and Naive hold each user's enabled filters, taken in id order, to the budget
// of the snapshot (Budget; DefaultBudget unless Snapshot.Budget says otherwise): filters, values,
// topic patterns starting with a wildcard, those of them with nothing to look up, and regular
// expressions, as Weight counts them. A filter that would take its user past it is skipped and
// listed by Invalid with a *BudgetError, so that stored filters written before a quota existed
// cannot slow matching for everyone. The preferences store refuses such writes in the first place
// (prefs.Quotas, the same limits).
//
// # Patching
//
// Compiling a large snapshot takes a while (about a second at 400k filters), too long to repeat at
// every preference change. Matcher.WithUsers derives a Matcher in which some users' filters are
// replaced, without touching the receiver: the compiled base is shared, and the replaced users'
// filters go in a small overlay, compiled on its own, through the base's ownership and
// memberships and a symbol table layered on the base's (new names get new ids; the base's table
// is never written, so matching on older Matchers goes on undisturbed). Matching looks the
// message up in the base and in each tier of the overlay, skips the filters of users patched in
// a newer layer, and merges the results in the usual order; the output is that of Compile on the
// patched snapshot. The overlay has two tiers: settled, the users patched up to the last merge,
// and recent, those patched since. A patch rebinds only its users and re-indexes only recent,
// reusing its validated filters, so it costs what recent holds (at most about the square root of
// the overlay's users, and at least 16); when recent grows past that, the patch merges it into
// settled, re-indexing the whole overlay (never the base). Recompile in the background when
// OverlayUsers grows past a few thousand. The ownership and membership maps are kept in the
// Matcher for this.
//
// # Where things are
//
// model.go holds the filter model, limits.go the Max* limits, json.go the JSON form, weight.go
// what a filter counts against quotas and budget.go the per-user budget. validate.go validates a filter and prepares its
// conditions into the form in prepared.go, with the per-field parts in topic.go (globs, parsed by fnmatch.go),
// severity.go and body.go (paths, and reading them in a parsed body); bodypaths.go holds the trie
// of a program's body paths and bodyscan.go the one-pass extraction along it; compilecache.go shares
// compiled patterns across a snapshot. bind.go binds a prepared filter to its owner, program.go
// stores bound filters in the compact form both matchers run, and eval.go evaluates them against
// a message (msgctx.go) with the value sets of sets.go. snapshot.go holds the snapshot, the
// ownership lookups and the symbol table. naive.go is the reference evaluator. matcher.go is the
// compiled Matcher's API: index.go builds its indexes, globtrie.go its trie of topic patterns,
// wildcard.go its index of those that start with a wildcard,
// match.go looks a message up in them (bodyindex.go in body values), and overlay.go patches a
// Matcher (WithUsers).
package rules
