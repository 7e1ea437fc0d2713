package archive

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of a query. They keep every query an index scan with an early LIMIT: see Search.
const (
	// DefaultWindow is the time window of a query that gives neither start nor delta: the last
	// week (datagrepper has no default and scans everything, which is what timed out).
	DefaultWindow = 7 * 24 * time.Hour
	// MaxWindow is the longest time window a query may span: ten years, more than any retention.
	MaxWindow = 10 * 366 * 24 * time.Hour
	// MaxContainsWindow is the longest window of a query with contains, which reads the bodies
	// of every message in the window that the other parameters let through.
	MaxContainsWindow = 31 * 24 * time.Hour
	// DefaultRowsPerPage is datagrepper's page size.
	DefaultRowsPerPage = 25
	// MaxRowsPerPage is the largest page.
	MaxRowsPerPage = 100
	// MaxValues is the most values one parameter may have.
	MaxValues = 20
	// MaxValueLen is the longest value, in bytes.
	MaxValueLen = 255
	// CountCap is how many matching messages Search counts at most: beyond it the total is a
	// lower bound. Pages end there too: a page may not start after the CountCap-th message.
	CountCap = 10000
)

// Query is a datagrepper-style question to the archive. Values of one parameter are ORed,
// different parameters are ANDed. Make one with ParseQuery, which validates it.
type Query struct {
	// Start and End bound sent_at, both included.
	Start, End time.Time
	// Users, Packages, Categories and Topics are what a message must have one of (each list that
	// is not empty). Categories are apps (bodhi, koji); topics are exact.
	Users, Packages, Categories, Topics []string
	// Contains are substrings of which the message's JSON body must contain one.
	Contains []string
	// NotUsers, NotPackages, NotCategories and NotTopics are what a message must have none of.
	NotUsers, NotPackages, NotCategories, NotTopics []string
	// Page is 1-based.
	Page int
	// RowsPerPage is the page size, 1 to MaxRowsPerPage.
	RowsPerPage int
	// Asc is oldest first; the default is newest first.
	Asc bool
}

// ParamError is a query parameter that is not valid.
type ParamError struct {
	// Param is the parameter's name, as in the URL.
	Param string
	// Reason says what is wrong, for people.
	Reason string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Reason }

// listParams are the repeatable string parameters, by name, and where ParseQuery puts them.
func (q *Query) listParams() []struct {
	name string
	dst  *[]string
} {
	return []struct {
		name string
		dst  *[]string
	}{
		{"user", &q.Users}, {"package", &q.Packages}, {"category", &q.Categories}, {"topic", &q.Topics},
		{"contains", &q.Contains},
		{"not_user", &q.NotUsers}, {"not_package", &q.NotPackages}, {"not_category", &q.NotCategories},
		{"not_topic", &q.NotTopics},
	}
}

// scalarParams are the parameters that take one value.
var scalarParams = []string{"start", "end", "delta", "page", "rows_per_page", "order"}

// ParseQuery reads a query from URL parameters as datagrepper names them, relative to now. The
// window is [start, end]: end defaults to now (or start+delta), start to end-delta (or
// end-DefaultWindow). Times are unix seconds (fractions allowed) or ISO 8601 dates
// (2026-11-23, 2026-11-23T10:00:00 in UTC, or RFC 3339 with a zone). An unknown parameter, an
// empty or too long value, more than MaxValues values, a window over MaxWindow (or
// MaxContainsWindow with contains) or ending before it starts is a *ParamError naming it.
func ParseQuery(v url.Values, now time.Time) (Query, error) {
	q := Query{Page: 1, RowsPerPage: DefaultRowsPerPage}
	known := map[string]bool{}
	for _, p := range scalarParams {
		known[p] = true
		if len(v[p]) > 1 {
			return Query{}, &ParamError{p, "is given more than once"}
		}
	}
	for _, lp := range q.listParams() {
		known[lp.name] = true
		vals := v[lp.name]
		if len(vals) > MaxValues {
			return Query{}, &ParamError{lp.name, fmt.Sprintf("has more than %d values", MaxValues)}
		}
		for _, s := range vals {
			if s == "" {
				return Query{}, &ParamError{lp.name, "is empty"}
			}
			if len(s) > MaxValueLen {
				return Query{}, &ParamError{lp.name, fmt.Sprintf("is longer than %d bytes", MaxValueLen)}
			}
			if !slices.Contains(*lp.dst, s) {
				*lp.dst = append(*lp.dst, s)
			}
		}
	}
	for p := range v {
		switch {
		case p == "": // "?=x": the error must still name something
			return Query{}, &ParamError{"(no name)", "a parameter has a value but no name"}
		case !known[p]:
			return Query{}, &ParamError{p, "is not a parameter of this API"}
		}
	}

	if err := q.parseWindow(v, now); err != nil {
		return Query{}, err
	}
	var err error
	if q.Page, err = intParam(v, "page", 1, 1, math.MaxInt32); err != nil {
		return Query{}, err
	}
	if q.RowsPerPage, err = intParam(v, "rows_per_page", DefaultRowsPerPage, 1, MaxRowsPerPage); err != nil {
		return Query{}, err
	}
	if (q.Page-1)*q.RowsPerPage >= CountCap {
		return Query{}, &ParamError{"page", fmt.Sprintf("starts after the %dth message: narrow the time window", CountCap)}
	}
	switch v.Get("order") {
	case "", "desc":
	case "asc":
		q.Asc = true
	default:
		return Query{}, &ParamError{"order", `is neither "asc" nor "desc"`}
	}
	return q, nil
}

// parseWindow sets Start and End from start, end and delta.
func (q *Query) parseWindow(v url.Values, now time.Time) error {
	var start, end time.Time
	var delta time.Duration
	var err error
	if s := v.Get("start"); s != "" {
		if start, err = parseTime(s); err != nil {
			return &ParamError{"start", err.Error()}
		}
	}
	if s := v.Get("end"); s != "" {
		if end, err = parseTime(s); err != nil {
			return &ParamError{"end", err.Error()}
		}
	}
	if s := v.Get("delta"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || f <= 0 {
			return &ParamError{"delta", "is not a positive number of seconds"}
		}
		if f > MaxWindow.Seconds() {
			return &ParamError{"delta", fmt.Sprintf("is longer than %d days", int(MaxWindow.Hours()/24))}
		}
		delta = time.Duration(f * float64(time.Second))
	}
	window := delta
	if window == 0 {
		window = DefaultWindow
	}
	switch {
	case !start.IsZero() && !end.IsZero(): // delta, if any, is redundant, as in datagrepper
	case !start.IsZero() && delta != 0:
		end = start.Add(delta)
	case !start.IsZero():
		end = now
	case !end.IsZero():
		start = end.Add(-window)
	default:
		end = now
		start = end.Add(-window)
	}
	if end.Before(start) {
		return &ParamError{"end", "is before start"}
	}
	spanParam := "start"
	if v.Get("start") == "" {
		spanParam = "delta"
	}
	if end.Sub(start) > MaxWindow {
		return &ParamError{spanParam, fmt.Sprintf("makes a window longer than %d days", int(MaxWindow.Hours()/24))}
	}
	if len(v["contains"]) > 0 && end.Sub(start) > MaxContainsWindow {
		return &ParamError{"contains", fmt.Sprintf("needs a window of at most %d days (start, end, delta)", int(MaxContainsWindow.Hours()/24))}
	}
	q.Start, q.End = start.UTC(), end.UTC()
	return nil
}

// minTime and maxTime bound the times a query may name.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// parseTime reads unix seconds or an ISO 8601 date or time.
func parseTime(s string) (time.Time, error) {
	var t time.Time
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		if f < 0 || f > float64(maxTime.Unix()) {
			return time.Time{}, fmt.Errorf("is out of range")
		}
		sec, frac := math.Modf(f)
		t = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	} else {
		var perr error
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
			if t, perr = time.Parse(layout, s); perr == nil {
				break
			}
		}
		if perr != nil {
			return time.Time{}, fmt.Errorf("is neither unix seconds nor an ISO 8601 date such as 2026-11-23T10:00:00Z")
		}
	}
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, fmt.Errorf("is out of range")
	}
	return t, nil
}

// intParam reads an integer parameter between lo and hi, def when absent.
func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, &ParamError{name, fmt.Sprintf("is not an integer from %d to %d", lo, hi)}
	}
	return n, nil
}

// MarshalJSON writes the query as datagrepper's "arguments": times in unix seconds, every list
// (empty ones as []).
func (q Query) MarshalJSON() ([]byte, error) {
	out := map[string]any{
		"start":         unixSeconds(q.Start),
		"end":           unixSeconds(q.End),
		"delta":         q.End.Sub(q.Start).Seconds(),
		"page":          q.Page,
		"rows_per_page": q.RowsPerPage,
		"order":         "desc",
	}
	if q.Asc {
		out["order"] = "asc"
	}
	for _, lp := range q.listParams() {
		key := lp.name + "s"
		if lp.name == "category" || lp.name == "not_category" {
			key = strings.TrimSuffix(lp.name, "y") + "ies"
		}
		if lp.name == "contains" {
			key = "contains"
		}
		out[key] = nonNil(*lp.dst)
	}
	return json.Marshal(out)
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
