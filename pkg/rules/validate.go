package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gobwas/glob"

	"fmn/pkg/message"
)

// Limits on what a filter may hold. They bound the work one filter can cost per message and the
// size of a snapshot; the API refuses input beyond them.
const (
	// MaxConditions is the most conditions one filter may have.
	MaxConditions = 32
	// MaxValues is the most values one condition may list (a long list of followed packages).
	MaxValues = 500
	// MaxValueLen is the longest value, in bytes (topics are at most 255 bytes on AMQP).
	MaxValueLen = 255
	// MaxRegexLen is the longest regular expression, in bytes.
	MaxRegexLen = 512
	// MaxPathLen is the longest body path, in bytes.
	MaxPathLen = 256
	// MaxPathDepth is the most segments (keys and indices) a body path may have.
	MaxPathDepth = 32
	// MaxPathIndex is the largest array index a body path may use.
	MaxPathIndex = 1 << 16
	// MaxDestinations is the most destinations one filter may send to.
	MaxDestinations = 64
)

// Placeholders and prefixes allowed in owned conditions, beside Me.
const (
	// MyGroups in an owned condition stands for every group the filter's owner is a member of.
	MyGroups = "@mygroups"
	// GroupPrefix marks a group name in an owned condition: "group:python-sig".
	GroupPrefix = "group:"
)

// ErrInvalid is matched (with errors.Is) by every *ValidationError.
var ErrInvalid = errors.New("invalid filter")

// ValidationError says what is wrong with a filter and where.
type ValidationError struct {
	// Condition is the index of the offending condition, or -1 when the filter as a whole is wrong.
	Condition int
	// Field is the offending condition's field; empty when Condition is -1.
	Field Field
	// Reason says what is wrong, for people.
	Reason string
	// Err is the underlying error (from the glob or regexp compiler), if any.
	Err error
}

// Error implements error: `condition 2 (topic): bad glob "[": ...` or `filter: no conditions`.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Condition >= 0 {
		fmt.Fprintf(&b, "condition %d (%s): %s", e.Condition, e.Field, e.Reason)
	} else {
		b.WriteString("filter: ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ValidationError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalid) hold for every ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func condErr(i int, f Field, err error, format string, args ...any) *ValidationError {
	return &ValidationError{Condition: i, Field: f, Reason: fmt.Sprintf(format, args...), Err: err}
}

func filterErr(format string, args ...any) *ValidationError {
	return &ValidationError{Condition: -1, Reason: fmt.Sprintf(format, args...)}
}

// allowedOps lists the operators a field accepts; the first is the default used when a
// condition's Op is empty. It returns nil for an unknown field.
func allowedOps(f Field) []Op {
	switch f {
	case FieldTopic:
		return []Op{OpGlob, OpIn}
	case FieldSeverity:
		return []Op{OpAtLeast, OpIn}
	case FieldBody:
		return []Op{OpIn, OpEq, OpRegex}
	case FieldApp, FieldUser, FieldAgent, FieldArtifact, FieldOwned, FieldGroup:
		return []Op{OpIn}
	}
	return nil
}

// EffectiveOp returns the condition's operator, or the field's default when Op is empty: glob for
// topic, at_least for severity, in for everything else. It returns "" for an unknown field.
func (c *Condition) EffectiveOp() Op {
	if c.Op != "" {
		return c.Op
	}
	ops := allowedOps(c.Field)
	if len(ops) == 0 {
		return ""
	}
	return ops[0]
}

// Validate checks the filter: an owner, a bounded number of destinations, and valid conditions
// (see ValidateConditions). It returns a *ValidationError.
func (f *Filter) Validate() error {
	if err := f.validateOwnFields(); err != nil {
		return err
	}
	return ValidateConditions(f.Conditions)
}

// validateOwnFields checks what Validate checks beside the conditions.
func (f *Filter) validateOwnFields() error {
	if f.User == "" {
		return filterErr("no user")
	}
	if strings.HasPrefix(f.User, "@") || strings.HasPrefix(f.User, GroupPrefix) {
		return filterErr("user %q is not an account name", f.User)
	}
	if len(f.Destinations) > MaxDestinations {
		return filterErr("%d destinations, more than the limit of %d", len(f.Destinations), MaxDestinations)
	}
	return nil
}

// ValidateConditions checks a filter's conditions and returns a *ValidationError naming the first
// problem and the condition it is in. Beyond each condition being well formed, a filter needs at
// least one positive (non-negated) condition: one made only of negations would match almost
// everything.
func ValidateConditions(conds []Condition) error {
	_, err := prepareConditions(conds, nil)
	return err
}

// compileCache shares compiled globs and regexps between the filters of one snapshot: many users
// write the same patterns, and compiling each once keeps Compile fast and the matcher small. A
// nil *compileCache compiles everything afresh.
type compileCache struct {
	globs   map[string]*topicGlob
	regexps map[string]*regexp.Regexp
	// topics and bodies share identical topic and body conditions, keyed by cacheKey.
	topics map[string]*topicCond
	bodies map[string]*bodyCond
}

func newCompileCache() *compileCache {
	return &compileCache{
		globs:   make(map[string]*topicGlob),
		regexps: make(map[string]*regexp.Regexp),
		topics:  make(map[string]*topicCond),
		bodies:  make(map[string]*bodyCond),
	}
}

// cacheKey identifies a condition's test (not its negation) for sharing.
func cacheKey(op Op, path string, values []string) string {
	var b strings.Builder
	b.WriteString(string(op))
	b.WriteByte(0)
	b.WriteString(path)
	for _, v := range values {
		b.WriteByte(0)
		b.WriteString(v)
	}
	return b.String()
}

func (cc *compileCache) glob(p string) (*topicGlob, error) {
	if cc == nil {
		return compileGlob(p)
	}
	if g, ok := cc.globs[p]; ok {
		return g, nil
	}
	g, err := compileGlob(p)
	if err == nil {
		cc.globs[p] = g
	}
	return g, err
}

func (cc *compileCache) regexp(expr string) (*regexp.Regexp, error) {
	if cc == nil {
		return regexp.Compile(expr)
	}
	if re, ok := cc.regexps[expr]; ok {
		return re, nil
	}
	re, err := regexp.Compile(expr)
	if err == nil {
		cc.regexps[expr] = re
	}
	return re, err
}

// prepareConditions validates conds and compiles them into their executable form, not yet bound
// to an owner.
func prepareConditions(conds []Condition, cc *compileCache) ([]pcond, error) {
	if len(conds) == 0 {
		return nil, filterErr("no conditions (a filter without conditions would match everything)")
	}
	if len(conds) > MaxConditions {
		return nil, filterErr("%d conditions, more than the limit of %d", len(conds), MaxConditions)
	}
	out := make([]pcond, len(conds))
	positive := false
	for i := range conds {
		c, err := prepareCondition(i, &conds[i], cc)
		if err != nil {
			return nil, err
		}
		out[i] = c
		if !c.negate {
			positive = true
		}
	}
	if !positive {
		return nil, filterErr("every condition is negated (the filter would match almost everything)")
	}
	return out, nil
}

// prepareCondition validates one condition and compiles it.
func prepareCondition(i int, c *Condition, cc *compileCache) (pcond, error) {
	ops := allowedOps(c.Field)
	if ops == nil {
		if c.Field == "" {
			return pcond{}, condErr(i, c.Field, nil, "no field")
		}
		return pcond{}, condErr(i, c.Field, nil, "unknown field %q", string(c.Field))
	}
	op := c.EffectiveOp()
	opOK := false
	for _, o := range ops {
		if o == op {
			opOK = true
		}
	}
	if !opOK {
		return pcond{}, condErr(i, c.Field, nil, "operator %q not allowed (allowed: %s)", string(op), joinOps(ops))
	}
	if len(c.Values) == 0 {
		return pcond{}, condErr(i, c.Field, nil, "no values")
	}
	if len(c.Values) > MaxValues {
		return pcond{}, condErr(i, c.Field, nil, "%d values, more than the limit of %d", len(c.Values), MaxValues)
	}
	for _, v := range c.Values {
		if v == "" {
			return pcond{}, condErr(i, c.Field, nil, "empty value")
		}
		if len(v) > MaxValueLen && op != OpRegex {
			return pcond{}, condErr(i, c.Field, nil, "value of %d bytes, longer than the limit of %d", len(v), MaxValueLen)
		}
	}
	if c.Path != "" && c.Field != FieldBody {
		return pcond{}, condErr(i, c.Field, nil, "path is only allowed on body conditions")
	}
	if c.ArtifactType != "" {
		if c.Field != FieldArtifact && c.Field != FieldOwned {
			return pcond{}, condErr(i, c.Field, nil, "artifact_type is only allowed on artifact and owned conditions")
		}
		if !validArtifactType(c.ArtifactType) {
			return pcond{}, condErr(i, c.Field, nil, "bad artifact type %q", c.ArtifactType)
		}
	}
	out := pcond{fid: fieldIDOf(c.Field), negate: c.Negate, artType: message.ArtifactType(c.ArtifactType)}
	switch c.Field {
	case FieldTopic:
		t, err := prepareTopic(i, c.Values, op, cc)
		if err != nil {
			return pcond{}, err
		}
		out.topic = t
	case FieldApp, FieldGroup, FieldArtifact:
		if err := noPlaceholders(i, c.Field, c.Values); err != nil {
			return pcond{}, err
		}
	case FieldUser, FieldAgent:
		for _, v := range c.Values {
			switch {
			case v == Me:
				out.me = true
			case strings.HasPrefix(v, "@"):
				return pcond{}, condErr(i, c.Field, nil, "unknown placeholder %q (only %s is allowed here)", v, Me)
			case strings.HasPrefix(v, GroupPrefix):
				return pcond{}, condErr(i, c.Field, nil, "%q names a group; use a group or owned condition", v)
			}
		}
	case FieldOwned:
		o := &ownedCond{}
		for _, v := range c.Values {
			switch {
			case v == Me:
				o.me = true
			case v == MyGroups:
				o.myGroups = true
			case strings.HasPrefix(v, GroupPrefix):
				g := strings.TrimPrefix(v, GroupPrefix)
				if g == "" {
					return pcond{}, condErr(i, c.Field, nil, "%q names no group", v)
				}
				o.groups = append(o.groups, g)
			case strings.HasPrefix(v, "@"):
				return pcond{}, condErr(i, c.Field, nil, "unknown placeholder %q (allowed: %s, %s)", v, Me, MyGroups)
			default:
				o.users = append(o.users, v)
			}
		}
		out.owned = o
	case FieldSeverity:
		s, err := prepareSeverity(i, c.Values, op)
		if err != nil {
			return pcond{}, err
		}
		out.sevMask = s
	case FieldBody:
		b, err := prepareBody(i, c, op, cc)
		if err != nil {
			return pcond{}, err
		}
		out.body = b
	}
	return out, nil
}

func joinOps(ops []Op) string {
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

// noPlaceholders refuses @me and friends on fields where they make no sense.
func noPlaceholders(i int, f Field, values []string) error {
	for _, v := range values {
		if strings.HasPrefix(v, "@") {
			return condErr(i, f, nil, "%q makes no sense on a %s condition", v, f)
		}
	}
	return nil
}

func validArtifactType(t string) bool {
	if len(t) > 32 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// Severity handling.

// severityLevels are the levels in increasing order; a severity mask has bit i for level i.
// (An array, not a slice, so it is a value nobody can change through a shared backing store.)
func severityLevels() [4]int {
	return [4]int{message.SeverityDebug, message.SeverityInfo, message.SeverityWarning, message.SeverityError}
}

// ParseSeverity parses a severity value: a name (debug, info, warning, error; any case) or the
// number 10, 20, 30 or 40.
func ParseSeverity(v string) (int, error) {
	switch strings.ToLower(v) {
	case "debug":
		return message.SeverityDebug, nil
	case "info":
		return message.SeverityInfo, nil
	case "warning":
		return message.SeverityWarning, nil
	case "error":
		return message.SeverityError, nil
	}
	n, err := strconv.Atoi(v)
	if err == nil {
		for _, l := range severityLevels() {
			if l == n {
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("bad severity %q (want debug, info, warning, error or 10, 20, 30, 40)", v)
}

// prepareSeverity turns a severity condition into a bit mask over severityLevels. A message whose
// severity is not one of the four levels counts as the highest level not above it (debug below 10).
func prepareSeverity(i int, values []string, op Op) (uint8, error) {
	if op == OpAtLeast && len(values) != 1 {
		return 0, condErr(i, FieldSeverity, nil, "at_least takes exactly one value, got %d", len(values))
	}
	var mask uint8
	for _, v := range values {
		n, err := ParseSeverity(v)
		if err != nil {
			return 0, condErr(i, FieldSeverity, nil, "%s", err.Error())
		}
		for b, l := range severityLevels() {
			if (op == OpAtLeast && l >= n) || (op == OpIn && l == n) {
				mask |= 1 << b
			}
		}
	}
	return mask, nil
}

// severityBit maps a message severity to its bit in a severity mask.
func severityBit(sev int) uint8 { return 1 << severityIndex(sev) }

// severityIndex maps a message severity to the index of its level in severityLevels: the highest
// level not above it, debug for anything below debug.
func severityIndex(sev int) int {
	b := 0
	for j, l := range severityLevels() {
		if sev >= l {
			b = j
		}
	}
	return b
}

// Topic handling.

// topicMeta are the characters that make a topic value a pattern rather than an exact topic.
const topicMeta = "*?["

// prepareTopic compiles topic values: exact topics (no wildcard, or op in) and globs.
func prepareTopic(i int, values []string, op Op, cc *compileCache) (t *topicCond, err error) {
	if cc != nil {
		key := cacheKey(op, "", values)
		if t, ok := cc.topics[key]; ok {
			return t, nil
		}
		defer func() {
			if err == nil {
				cc.topics[key] = t
			}
		}()
	}
	t = &topicCond{}
	var exact []string
	for _, v := range values {
		if strings.HasPrefix(v, "@") {
			return nil, condErr(i, FieldTopic, nil, "%q makes no sense on a topic condition", v)
		}
		if op == OpIn || !strings.ContainsAny(v, topicMeta) {
			exact = append(exact, v)
			continue
		}
		g, err := cc.glob(v)
		if err != nil {
			return nil, condErr(i, FieldTopic, err, "bad glob %q", v)
		}
		t.globs = append(t.globs, g)
	}
	t.exact = newStrSet(exact)
	return t, nil
}

// topicGlob is a compiled topic pattern.
type topicGlob struct {
	pattern string
	// prefix is the literal text before the first wildcard.
	prefix string
	// prefixOnly is set when the pattern is prefix + "*": reaching the prefix is a match.
	prefixOnly bool
	g          *glob.Pattern
}

func (t *topicGlob) match(topic string) bool {
	if !strings.HasPrefix(topic, t.prefix) {
		return false
	}
	if t.prefixOnly {
		return true
	}
	return t.g.Match(topic)
}

// compileGlob compiles an fnmatch-style pattern (`*` any run of characters, dots included; `?` one
// character; `[abc]`, `[a-z]`, `[!abc]` classes) with gobwas/glob and no separators. Braces and
// backslashes, which gobwas treats specially and fnmatch does not, are escaped so they stay
// literal. Two deviations from Python's fnmatch, both refused as bad globs: an unclosed `[`
// (fnmatch takes it literally), and a class mixing a range with other characters (`[a-z0-9]`),
// which gobwas cannot express.
func compileGlob(p string) (*topicGlob, error) {
	var b strings.Builder
	inClass := false
	classStart := 0
	for j := 0; j < len(p); j++ {
		c := p[j]
		if inClass {
			switch {
			case c == ']' && j > classStart:
				inClass = false
				b.WriteByte(c)
			case c == '\\' || c == ']' || c == '[' || c == '{' || c == '}':
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
			continue
		}
		switch c {
		case '[':
			inClass = true
			classStart = j + 1
			if j+1 < len(p) && p[j+1] == '!' {
				classStart = j + 2
				b.WriteString("[!")
				j++
				continue
			}
			b.WriteByte(c)
		case '{', '}', '\\', ']':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return nil, errors.New("unclosed [")
	}
	g, err := glob.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	k := strings.IndexAny(p, topicMeta)
	if k < 0 { // no wildcard: the whole pattern is literal (prepareTopic treats it as exact)
		k = len(p)
	}
	t := &topicGlob{pattern: p, prefix: p[:k], g: g}
	t.prefixOnly = k == len(p)-1 && p[k] == '*'
	return t, nil
}

// Body handling.

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
