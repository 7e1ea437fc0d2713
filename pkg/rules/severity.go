package rules

import (
	"fmt"
	"strconv"
	"strings"

	"fmn/pkg/message"
)

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
