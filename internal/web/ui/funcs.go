package ui

import (
	"fmt"
	"strings"
	"time"

	"fmn/pkg/rules"
)

// conditionText describes a condition for people: "topic matches org.*.bodhi.*".
func conditionText(c rules.Condition) string {
	var verb string
	switch c.Op {
	case rules.OpGlob:
		verb = "matches"
	case rules.OpAtLeast:
		verb = "is at least"
	case rules.OpEq:
		verb = "equals"
	case rules.OpRegex:
		verb = "matches the expression"
	default:
		switch {
		case c.Field == rules.FieldTopic:
			verb = "matches"
		case len(c.Values) > 1:
			verb = "is one of"
		default:
			verb = "is"
		}
		if c.Field == rules.FieldSeverity && c.Op == "" {
			verb = "is at least"
		}
	}
	subject := string(c.Field)
	switch c.Field {
	case rules.FieldOwned:
		subject, verb = "an artifact owned by", ""
	case rules.FieldBody:
		subject = "body " + c.Path
	case rules.FieldArtifact, rules.FieldUser, rules.FieldGroup:
		subject = "an involved " + subject
	}
	if c.ArtifactType != "" {
		subject += " (" + c.ArtifactType + ")"
	}
	s := subject
	if verb != "" {
		s += " " + verb
	}
	s += " " + strings.Join(c.Values, ", ")
	if c.Negate {
		s = "not: " + s
	}
	return s
}

// ago renders how long ago t was, coarsely.
func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return t.UTC().Format("2006-01-02")
}

// durationText renders a duration as a form value: "" for none, else "30m", "2h".
func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	s = strings.TrimSuffix(s, "0m")
	return s
}
