package rules

import (
	"errors"
	"fmt"
	"strings"

	"fmn/pkg/message"
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

// Error implements error: `condition 2 (topic): bad glob "[z-a]": ...` or `filter: no conditions`.
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

// prepareCondition validates one condition and compiles it: its operator, its values, the
// qualifiers (path, artifact type) it may carry, then what its field needs.
func prepareCondition(i int, c *Condition, cc *compileCache) (pcond, error) {
	op, err := checkOp(i, c)
	if err != nil {
		return pcond{}, err
	}
	if err := checkValues(i, c, op); err != nil {
		return pcond{}, err
	}
	if err := checkQualifiers(i, c); err != nil {
		return pcond{}, err
	}
	out := pcond{fid: fieldIDOf(c.Field), negate: c.Negate, artType: message.ArtifactType(c.ArtifactType)}
	if err := prepareField(i, c, op, cc, &out); err != nil {
		return pcond{}, err
	}
	return out, nil
}

// checkOp checks the condition's field and returns its effective operator, refusing one the
// field does not take.
func checkOp(i int, c *Condition) (Op, error) {
	ops := allowedOps(c.Field)
	if ops == nil {
		if c.Field == "" {
			return "", condErr(i, c.Field, nil, "no field")
		}
		return "", condErr(i, c.Field, nil, "unknown field %q", string(c.Field))
	}
	op := c.EffectiveOp()
	opOK := false
	for _, o := range ops {
		if o == op {
			opOK = true
		}
	}
	if !opOK {
		return "", condErr(i, c.Field, nil, "operator %q not allowed (allowed: %s)", string(op), joinOps(ops))
	}
	return op, nil
}

// checkValues checks the number of values and the length of each (regexps have their own limit,
// checked with the body condition).
func checkValues(i int, c *Condition, op Op) error {
	if len(c.Values) == 0 {
		return condErr(i, c.Field, nil, "no values")
	}
	if len(c.Values) > MaxValues {
		return condErr(i, c.Field, nil, "%d values, more than the limit of %d", len(c.Values), MaxValues)
	}
	for _, v := range c.Values {
		if v == "" {
			return condErr(i, c.Field, nil, "empty value")
		}
		if len(v) > MaxValueLen && op != OpRegex {
			return condErr(i, c.Field, nil, "value of %d bytes, longer than the limit of %d", len(v), MaxValueLen)
		}
	}
	return nil
}

// checkQualifiers checks Path and ArtifactType: each only on the fields that take it, and a
// well-formed artifact type.
func checkQualifiers(i int, c *Condition) error {
	if c.Path != "" && c.Field != FieldBody {
		return condErr(i, c.Field, nil, "path is only allowed on body conditions")
	}
	if c.ArtifactType != "" {
		if c.Field != FieldArtifact && c.Field != FieldOwned {
			return condErr(i, c.Field, nil, "artifact_type is only allowed on artifact and owned conditions")
		}
		if !validArtifactType(c.ArtifactType) {
			return condErr(i, c.Field, nil, "bad artifact type %q", c.ArtifactType)
		}
	}
	return nil
}

// prepareField checks and compiles what is particular to the condition's field into out.
func prepareField(i int, c *Condition, op Op, cc *compileCache, out *pcond) error {
	var err error
	switch c.Field {
	case FieldTopic:
		out.topic, err = prepareTopic(i, c.Values, op, cc)
	case FieldApp, FieldGroup, FieldArtifact:
		err = noPlaceholders(i, c.Field, c.Values)
	case FieldUser, FieldAgent:
		out.me, err = prepareUserValues(i, c.Field, c.Values)
	case FieldOwned:
		out.owned, err = prepareOwned(i, c.Values)
	case FieldSeverity:
		out.sevMask, err = prepareSeverity(i, c.Values, op)
	case FieldBody:
		out.body, err = prepareBody(i, c, op, cc)
	}
	return err
}

// prepareUserValues checks the values of a user or agent condition, which name accounts, and
// reports whether they list Me.
func prepareUserValues(i int, f Field, values []string) (me bool, err error) {
	for _, v := range values {
		switch {
		case v == Me:
			me = true
		case strings.HasPrefix(v, "@"):
			return false, condErr(i, f, nil, "unknown placeholder %q (only %s is allowed here)", v, Me)
		case strings.HasPrefix(v, GroupPrefix):
			return false, condErr(i, f, nil, "%q names a group; use a group or owned condition", v)
		}
	}
	return me, nil
}

// prepareOwned reads the owners an owned condition lists: Me, MyGroups, "group:NAME" or a user.
func prepareOwned(i int, values []string) (*ownedCond, error) {
	o := &ownedCond{}
	for _, v := range values {
		switch {
		case v == Me:
			o.me = true
		case v == MyGroups:
			o.myGroups = true
		case strings.HasPrefix(v, GroupPrefix):
			g := strings.TrimPrefix(v, GroupPrefix)
			if g == "" {
				return nil, condErr(i, FieldOwned, nil, "%q names no group", v)
			}
			o.groups = append(o.groups, g)
		case strings.HasPrefix(v, "@"):
			return nil, condErr(i, FieldOwned, nil, "unknown placeholder %q (allowed: %s, %s)", v, Me, MyGroups)
		default:
			o.users = append(o.users, v)
		}
	}
	return o, nil
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
