package rules_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// groupVocab is a vocabulary with few large groups, as in Fedora's SIGs: owned conditions are
// mostly met through a group. "g1" is both a user and a group, so that the owned index must keep
// a user and a group of the same name apart.
func groupVocab() *vocab {
	v := smallVocab()
	v.users = []string{"g1"}
	for i := range 24 {
		v.users = append(v.users, fmt.Sprintf("u%d", i))
	}
	v.groups = []string{"g0", "g1", "g2", "g3", "g4"}
	v.pkgs = nil
	for i := range 300 {
		v.pkgs = append(v.pkgs, fmt.Sprintf("p%d", i))
	}
	return v
}

// groupSnapshot makes filters that mostly hold an owned condition (@me, @mygroups,
// "group:NAME", a user) beside random others, groups that own 40-150 packages (some as both an
// rpm and a container), users owning a few, and users in 0-3 groups.
func groupSnapshot(r *rand.Rand, v *vocab, nFilters int) *rules.Snapshot {
	s := &rules.Snapshot{}
	owned := []string{rules.Me, rules.MyGroups, rules.MyGroups, "g1", "u3", rules.GroupPrefix + "g1", rules.GroupPrefix + "g2"}
	for i := range nFilters {
		f := rules.Filter{ID: int64(i), User: pick(r, v.users), Enabled: r.IntN(10) != 0, Destinations: []int64{int64(1 + r.IntN(2))}}
		c := rules.Condition{Field: rules.FieldOwned, Values: picks(r, owned, 2), Negate: r.IntN(10) == 0}
		if r.IntN(3) == 0 {
			c.ArtifactType = string(pick(r, v.types))
		}
		f.Conditions = append(f.Conditions, c)
		for range r.IntN(3) {
			f.Conditions = append(f.Conditions, randomCondition(r, v))
		}
		s.Filters = append(s.Filters, f)
	}
	for _, g := range v.groups {
		for range 40 + r.IntN(111) {
			name := pick(r, v.pkgs)
			s.Ownership = append(s.Ownership, rules.Ownership{Artifact: message.Artifact{Type: pick(r, v.types), Name: name}, Group: g})
			if r.IntN(5) == 0 {
				s.Ownership = append(s.Ownership, rules.Ownership{Artifact: message.Artifact{Type: message.ArtifactContainer, Name: name}, Group: g})
			}
		}
	}
	for _, u := range v.users {
		for range r.IntN(6) {
			s.Ownership = append(s.Ownership, rules.Ownership{Artifact: message.Artifact{Type: pick(r, v.types), Name: pick(r, v.pkgs)}, User: u})
		}
		for range r.IntN(4) {
			s.Memberships = append(s.Memberships, rules.Membership{Group: pick(r, v.groups), User: u})
		}
	}
	return s
}

// groupMessages makes messages naming 1-4 packages, so that most reach some group's members.
func groupMessages(r *rand.Rand, v *vocab, n int) []*message.Message {
	msgs := make([]*message.Message, n)
	for i := range msgs {
		m := randomMessage(r, v)
		m.Artifacts = nil
		for range 1 + r.IntN(4) {
			m.Artifacts = append(m.Artifacts, message.Artifact{Type: pick(r, v.types), Name: pick(r, v.pkgs)})
		}
		m.ID = strconv.Itoa(i)
		m.Normalize()
		msgs[i] = m
	}
	return msgs
}

// TestPropertyGroupOwnershipEqualsNaive checks the owned index (filters found through the owners
// of the message's artifacts, not through their expanded artifacts) against the naive evaluator,
// compiled and through patches.
func TestPropertyGroupOwnershipEqualsNaive(t *testing.T) {
	t.Parallel()
	seeds := 30
	if testing.Short() {
		seeds = 6
	}
	v := groupVocab()
	vp := extendVocab(v)
	total, matched := 0, 0
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 21))
		s := groupSnapshot(r, v, 200)
		msgs := groupMessages(r, vp, 150)
		matched += requireSameMatches(t, s, msgs)
		total += len(msgs)
		if seed%3 == 0 {
			matched += patchSteps(t, r, s, vp, slices.Concat(vp.users[:10], []string{"new0"}), msgs, 4)
			total += 4 * len(msgs)
		}
	}
	require.Greater(t, matched, total/4)
	require.Less(t, matched, total)
}
