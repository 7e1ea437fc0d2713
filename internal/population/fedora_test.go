package population

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// fedoraProportions are the shares the package comment documents, measured on a snapshot.
type fedoraProportions struct {
	filtersPerUser, ownerShare, bigOwnerShare, memberShare float64
	followShare, globShare, bodyShare, leadingShare        float64
	negatedFilters, groupFilterShare, bodyOnlyShare        float64
	minFilters, maxFilters, maxOwned                       int
	minSIGPackages, maxSIGPackages, maxGroupsPerMember     int
}

// measureFedora measures p's proportions.
func measureFedora(p *Population) fedoraProportions {
	var m fedoraProportions
	s := p.Snapshot
	n := float64(len(p.Users))
	perUser := map[string]int{}
	kinds := map[string]map[string]bool{} // kind -> users
	mark := func(kind, user string) {
		if kinds[kind] == nil {
			kinds[kind] = map[string]bool{}
		}
		kinds[kind][user] = true
	}
	negated := 0
	for _, f := range s.Filters {
		perUser[f.User]++
		leading := 0
		for _, c := range f.Conditions {
			switch {
			case c.Negate:
				negated++
				continue
			case c.Field == rules.FieldUser && !(len(c.Values) == 1 && c.Values[0] == rules.Me):
				mark("follow", f.User)
			case c.Field == rules.FieldTopic && strings.ContainsAny(strings.Join(c.Values, ""), "*?["):
				mark("glob", f.User)
			case c.Field == rules.FieldBody:
				mark("body", f.User)
			case c.Field == rules.FieldOwned && (c.Values[0] == rules.MyGroups || strings.HasPrefix(c.Values[0], rules.GroupPrefix)):
				mark("group", f.User)
			case c.Field == rules.FieldOwned && c.Values[0] == rules.Me:
				mark("owned", f.User)
			}
			if c.Field == rules.FieldTopic {
				for _, v := range c.Values {
					if strings.HasPrefix(v, "*") {
						leading++
					}
				}
			}
		}
		if leading >= 2 {
			mark("leading", f.User)
		}
		if len(f.Conditions) == 1 && f.Conditions[0].Field == rules.FieldBody {
			mark("body-only", f.User)
		}
	}
	m.minFilters, m.maxFilters = 1<<30, 0
	for _, u := range p.Users {
		m.minFilters, m.maxFilters = min(m.minFilters, perUser[u]), max(m.maxFilters, perUser[u])
	}
	owned := map[string]int{}
	sigPkgs := map[string]int{}
	for _, o := range s.Ownership {
		switch {
		case o.User != "" && o.Artifact.Type == message.ArtifactRPM:
			owned[o.User]++
		case o.Group != "":
			sigPkgs[o.Group]++
		}
	}
	big := 0
	for _, k := range owned {
		m.maxOwned = max(m.maxOwned, k)
		if k >= 20 {
			big++
		}
	}
	m.minSIGPackages, m.maxSIGPackages = 1<<30, 0
	for _, k := range sigPkgs {
		m.minSIGPackages, m.maxSIGPackages = min(m.minSIGPackages, k), max(m.maxSIGPackages, k)
	}
	groupsOf := map[string]int{}
	for _, ms := range s.Memberships {
		groupsOf[ms.User]++
		m.maxGroupsPerMember = max(m.maxGroupsPerMember, groupsOf[ms.User])
	}
	m.filtersPerUser = float64(len(s.Filters)) / n
	m.ownerShare = float64(len(owned)) / n
	m.bigOwnerShare = float64(big) / float64(len(owned))
	m.memberShare = float64(len(groupsOf)) / n
	m.followShare = float64(len(kinds["follow"])) / n
	m.globShare = float64(len(kinds["glob"])) / n
	m.bodyShare = float64(len(kinds["body"])) / n
	m.leadingShare = float64(len(kinds["leading"])) / n
	m.bodyOnlyShare = float64(len(kinds["body-only"])) / n
	m.groupFilterShare = float64(len(kinds["group"])) / float64(len(groupsOf))
	m.negatedFilters = float64(negated) / float64(len(s.Filters))
	return m
}

func TestFedoraShapeHasTheDocumentedProportions(t *testing.T) {
	t.Parallel()
	p := Generate(Config{Users: 20000, Seed: 3, Shape: ShapeFedora})
	require.Equal(t, ShapeFedora, p.Shape)
	require.Len(t, p.Packages, FedoraPackages)
	m := measureFedora(p)
	t.Logf("%+v", m)
	require.InDelta(t, 3.5, m.filtersPerUser, 0.3, "filters per user")
	require.Equal(t, 1, m.minFilters)
	require.Equal(t, 8, m.maxFilters)
	require.InDelta(t, 0.70, m.ownerShare, 0.02, "users who own packages")
	require.InDelta(t, 0.05, m.bigOwnerShare, 0.015, "owners of 20 packages or more")
	require.LessOrEqual(t, m.maxOwned, 150)
	require.InDelta(t, 0.05, m.memberShare, 0.01, "SIG members")
	require.LessOrEqual(t, m.maxGroupsPerMember, 3)
	require.InDelta(t, 1, m.groupFilterShare, 0.001, "members with a @mygroups or group: filter")
	require.GreaterOrEqual(t, m.minSIGPackages, 200)
	require.LessOrEqual(t, m.maxSIGPackages, 2000)
	require.InDelta(t, 0.30, m.followShare, 0.02, "users following usernames")
	require.InDelta(t, 0.25, m.globShare, 0.02, "users with a topic glob")
	require.InDelta(t, 0.15, m.bodyShare, 0.02, "users with a body condition")
	require.InDelta(t, 0.04, m.negatedFilters, 0.01, "filters with a negation")
	require.InDelta(t, 0.01, m.leadingShare, 0.004, "users with several leading-* globs")
	// The body-only filters ("the owner is me"): ≈ 1 % of the users.
	require.InDelta(t, 0.011, m.bodyOnlyShare, 0.004, "users with a body-only filter")

	for _, f := range p.Snapshot.Filters {
		require.NoError(t, f.Validate(), "filter %d %s", f.ID, f.Name)
	}
	c, err := rules.Compile(p.Snapshot)
	require.NoError(t, err)
	st := c.Stats()
	require.Zero(t, st.Invalid)
	require.Zero(t, st.Unmatchable)
}

func TestFedoraShapeIsDeterministic(t *testing.T) {
	t.Parallel()
	a := Generate(Config{Users: 3000, Seed: 7, Shape: ShapeFedora})
	b := Generate(Config{Users: 3000, Seed: 7, Shape: ShapeFedora})
	require.Equal(t, a, b)
	c := Generate(Config{Users: 3000, Seed: 8, Shape: ShapeFedora})
	require.NotEqual(t, a.Snapshot.Filters, c.Snapshot.Filters)
	d := Generate(Config{Users: 3000, Seed: 7})
	require.Equal(t, ShapeDefault, d.Shape)
	require.NotEqual(t, a.Snapshot.Filters, d.Snapshot.Filters)
}

func TestFedoraMessagesNameThePopulation(t *testing.T) {
	t.Parallel()
	p := Generate(Config{Users: 5000, Seed: 1, Shape: ShapeFedora})
	one, err := p.MappedCorpus()
	require.NoError(t, err)
	msgs, err := p.MappedMessages(3 * len(one))
	require.NoError(t, err)
	require.Len(t, msgs, 3*len(one))
	require.Equal(t, one, msgs[:len(one)], "pass 0 is MappedCorpus")
	again, err := p.MappedMessages(3 * len(one))
	require.NoError(t, err)
	require.Equal(t, msgs, again, "mapping is deterministic")

	users := map[string]bool{}
	for _, u := range p.Users {
		users[u] = true
	}
	differ, renamed, big := 0, 0, 0
	for i := range msgs {
		m := &msgs[i]
		require.True(t, json.Valid(m.Body), "message %d (%s): body still JSON", i, m.Topic)
		for _, u := range m.Usernames {
			require.True(t, users[u], "message %d names %q", i, u)
		}
		if i >= len(one) && (m.Agent != one[i%len(one)].Agent || !slicesEqual(m.Usernames, one[i%len(one)].Usernames)) {
			differ++
		}
		if strings.Contains(string(m.Body), `"user0`) {
			renamed++
		}
		if len(m.Body) > 13000 {
			big++
		}
	}
	require.Greater(t, differ, len(one), "later passes name other users")
	require.Greater(t, renamed, len(msgs)/4, "bodies name the population's users")
	require.Positive(t, big, "the large GitHub/forge payloads are in")

	c, err := rules.Compile(p.Snapshot)
	require.NoError(t, err)
	matched := 0
	for i := range msgs {
		if len(c.Match(&msgs[i], msgs[i].SentAt)) > 0 {
			matched++
		}
	}
	require.Greater(t, matched, len(msgs)/2, "most messages match someone")
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestRenameInBody(t *testing.T) {
	t.Parallel()
	names := map[string]string{"kevin": "user000001", "kernel": "pkg00002", "python3": "python-pkg00003"}
	for _, tc := range []struct{ name, in, want string }{
		// A value equal to a name is renamed; a key is not.
		{"value", `{"owner": "kevin", "kevin": 1}`, `{"owner": "user000001", "kevin": 1}`},
		// NVRs of a renamed package, alone or as words of a title, keep their version.
		{"nvr", `{"nvr":"kernel-6.1.1-1.fc39"}`, `{"nvr":"pkg00002-6.1.1-1.fc39"}`},
		{"title", `{"title":"kernel-6.1-1.fc39 python3-3.12.1-2.fc39 other-1-1"}`, `{"title":"pkg00002-6.1-1.fc39 python-pkg00003-3.12.1-2.fc39 other-1-1"}`},
		// Substrings, other names and escaped strings are left alone.
		{"substring", `{"a":"kevins","b":"kernel-headers","c":"ke\"vin","d":["kevin"]}`, `{"a":"kevins","b":"kernel-headers","c":"ke\"vin","d":["user000001"]}`},
		// Nothing to rename: the same bytes.
		{"none", `{"x": [1, 2, "y"]}`, `{"x": [1, 2, "y"]}`},
	} {
		require.Equal(t, tc.want, string(renameInBody([]byte(tc.in), names)), tc.name)
	}
}

func TestParseShape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Shape{"": ShapeDefault, "default": ShapeDefault, "fedora": ShapeFedora} {
		got, err := ParseShape(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := ParseShape("debian")
	require.Error(t, err)
}
