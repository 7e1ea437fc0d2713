package ownership_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/ownership"
	"fmn/pkg/message"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	rules, err := ownership.NewRules([]ownership.Rule{
		{Pattern: "a.b", Action: ownership.ActionMemberAdd},
		{Pattern: "x.*.z", Action: ownership.ActionMemberRemove},
		{Pattern: "p.#", Action: ownership.ActionPagureACL},
		{Pattern: "#.end", Action: ownership.ActionMemberAdd},
		{Pattern: "p.q", Action: ownership.ActionMemberAdd}, // shadowed by p.# (first rule wins)
		{Pattern: "m.#.n", Action: ownership.ActionMemberRemove},
	})
	require.NoError(t, err)
	tests := []struct {
		topic string
		want  ownership.Action // "" for no match
	}{
		{"a.b", ownership.ActionMemberAdd},                        // exact, bare topic
		{"org.fedoraproject.prod.a.b", ownership.ActionMemberAdd}, // environment stripped
		{"io.pagure.stg.a.b", ownership.ActionMemberAdd},          // any environment
		{"a.b.c", ""},                                       // exact means exact
		{"a", ""},                                           // too short
		{"x.y.z", ownership.ActionMemberRemove},             // * is one word
		{"x.z", ""},                                         // * is not zero words
		{"x.y.y.z", ""},                                     // * is not two words
		{"p", ownership.ActionPagureACL},                    // # is zero words
		{"p.q", ownership.ActionPagureACL},                  // first rule wins over a later exact one
		{"p.q.r.s", ownership.ActionPagureACL},              // # is many words
		{"some.thing.end", ownership.ActionMemberAdd},       // leading #
		{"end", ownership.ActionMemberAdd},                  // leading # with zero words
		{"m.n", ownership.ActionMemberRemove},               // inner # with zero words
		{"m.1.2.n", ownership.ActionMemberRemove},           // inner # with two words
		{"m.1.2.n.o", ""},                                   // trailing word left over
		{"org.fedoraproject.prod.bodhi.update.comment", ""}, // unrelated
		{"", ""}, // empty topic
	}
	for _, tt := range tests {
		got, ok := rules.Match(tt.topic)
		require.Equal(t, tt.want != "", ok, tt.topic)
		require.Equal(t, tt.want, got, tt.topic)
	}
}

func TestParseRules(t *testing.T) {
	t.Parallel()
	def := ownership.DefaultRules()

	// Empty and blank values mean the defaults.
	for _, v := range []string{"", "  ", " , \n"} {
		r, err := ownership.ParseRules(v)
		require.NoError(t, err)
		require.Equal(t, def.Rules(), r.Rules())
	}

	// "defaults" expands in place; commas and whitespace both separate.
	r, err := ownership.ParseRules("member-add=fas.group.member.approve,\n defaults pagure-acl=pagure.project.#")
	require.NoError(t, err)
	got := r.Rules()
	require.Len(t, got, len(def.Rules())+2)
	require.Equal(t, ownership.Rule{Pattern: "fas.group.member.approve", Action: ownership.ActionMemberAdd}, got[0])
	require.Equal(t, def.Rules(), got[1:len(got)-1])
	require.Equal(t, ownership.Rule{Pattern: "pagure.project.#", Action: ownership.ActionPagureACL}, got[len(got)-1])
	action, ok := r.Match("org.fedoraproject.prod.fas.group.member.approve")
	require.True(t, ok)
	require.Equal(t, ownership.ActionMemberAdd, action)

	// String round-trips.
	again, err := ownership.ParseRules(r.String())
	require.NoError(t, err)
	require.Equal(t, r.Rules(), again.Rules())

	bad := []struct {
		value, want string
	}{
		{"pagure.project.user.added", `want "action=pattern"`},        // no action
		{"owner=pagure.project.user.added", `unknown action "owner"`}, // unknown action
		{"member-add=", "empty pattern"},                              // no pattern
		{"member-add=fas..remove", "empty word"},                      // doubled dot
		{"member-add=.fas", "empty word"},                             // leading dot
		{"member-add=fas.group.*member", "must be whole words"},       // fnmatch-style wildcard
		{"member-add=fas.gr#oup", "must be whole words"},              // # inside a word
		{"member-add=fas=group", "'='"},                               // second =
		{"defaults,member-add=a.\x01", "control character"},           // control character
	}
	for _, tt := range bad {
		_, err := ownership.ParseRules(tt.value)
		var re *ownership.RuleError
		require.ErrorAs(t, err, &re, tt.value)
		require.ErrorContains(t, err, tt.want, tt.value)
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	lookup := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if k == ownership.EnvTopics {
				return v, true
			}
			return "", false
		}
	}
	r, err := ownership.FromEnv(lookup("member-remove=fas.group.member.remove"))
	require.NoError(t, err)
	require.Len(t, r.Rules(), 1)

	_, err = ownership.FromEnv(lookup("bogus"))
	require.ErrorContains(t, err, ownership.EnvTopics)

	r, err = ownership.FromEnv(func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	require.Equal(t, ownership.DefaultRules().Rules(), r.Rules())
}

// BenchmarkChangesUnmatched measures the cost for the messages the consumer sees most: topics
// no rule matches.
func BenchmarkChangesUnmatched(b *testing.B) {
	rules := ownership.DefaultRules()
	m := &message.Message{Topic: "org.fedoraproject.prod.buildsys.task.state.change", Body: json.RawMessage(`{}`)}
	for b.Loop() {
		rules.Changes(m)
	}
}
