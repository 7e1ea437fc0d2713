package rules

import (
	"time"

	"fmn/pkg/message"
)

// TEMPORARY: replaced by the rules branch.

type Ownership struct {
	Artifact message.Artifact
	User     string
	Group    string
}
type Membership struct{ Group, User string }
type Snapshot struct {
	Filters     []Filter
	Ownership   []Ownership
	Memberships []Membership
}

func (f *Filter) Validate() error { return nil }

type NaiveMatcher struct{ s *Snapshot }

func Naive(s *Snapshot) *NaiveMatcher { return &NaiveMatcher{s} }

func (n *NaiveMatcher) Match(m *message.Message, now time.Time) []Match {
	var out []Match
	for _, f := range n.s.Filters {
		ok := f.Enabled
		for _, c := range f.Conditions {
			if c.Field == FieldUser {
				hit := false
				for _, u := range m.Usernames {
					for _, v := range c.Values {
						if v == u || (v == Me && u == f.User) {
							hit = true
						}
					}
				}
				ok = ok && hit != c.Negate
			}
		}
		if ok {
			for _, d := range f.Destinations {
				out = append(out, Match{User: f.User, Destination: d, Filters: []int64{f.ID}})
			}
		}
	}
	return out
}

type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }
