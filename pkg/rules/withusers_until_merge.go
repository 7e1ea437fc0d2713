package rules

import "errors"

// TEMPORARY: replaced by the overlay branch.

// ErrNoPatching is returned while per-user patching is not available.
var ErrNoPatching = errors.New("rules: per-user patching not available")

// WithUsers is not available yet; callers recompile.
func (c *Matcher) WithUsers(map[string][]Filter) (*Matcher, error) { return nil, ErrNoPatching }

// OverlayUsers is 0 while patching is not available.
func (c *Matcher) OverlayUsers() int { return 0 }
