package prefs

import (
	"bytes"
	"encoding/json"
	"fmt"

	"fmn/pkg/rules"
)

// DefaultNoisyApps returns the applications left out of the default "artifacts I own" filter:
// they speak about every package many times a day (CI, rebuild and scan bots). Each call returns
// a new slice.
func DefaultNoisyApps() []string {
	return []string{"ci", "koschei", "openqa", "copr", "greenwave", "resultsdb", "waiverdb"}
}

// DefaultFilters are the filters a new user starts with, as the old FMN gave packagers a sensible
// set: events about me except my own actions, and my artifacts except noisy apps. Their
// destinations are filled in when the user is created (the user's SSE stream).
func DefaultFilters() []rules.Filter {
	return []rules.Filter{
		{Name: "Events about me", Enabled: true, Conditions: []rules.Condition{
			{Field: rules.FieldUser, Op: rules.OpIn, Values: []string{rules.Me}},
			{Field: rules.FieldAgent, Op: rules.OpIn, Values: []string{rules.Me}, Negate: true},
		}},
		{Name: "Artifacts I own", Enabled: true, Conditions: []rules.Condition{
			{Field: rules.FieldOwned, Op: rules.OpIn, Values: []string{rules.Me}},
			{Field: rules.FieldAgent, Op: rules.OpIn, Values: []string{rules.Me}, Negate: true},
			{Field: rules.FieldApp, Op: rules.OpIn, Values: DefaultNoisyApps(), Negate: true},
		}},
	}
}

// ParseDefaultFilters reads a JSON array of filters (the rules JSON form; ids, users and
// destinations are ignored) and validates each.
func ParseDefaultFilters(data []byte) ([]rules.Filter, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("default filters: %w", err)
	}
	out := make([]rules.Filter, 0, len(raw))
	for i, r := range raw {
		var f rules.Filter
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("default filter %d: %w", i, err)
		}
		// Validated as any user's filter would be; the owner and destinations come at creation.
		f.ID, f.User, f.Destinations = 0, "new-user", nil
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("default filter %d: %w", i, err)
		}
		f.User = ""
		out = append(out, f)
	}
	return out, nil
}
