package rules_test

import (
	"fmt"
	"time"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// A filter in its JSON form, as the web API receives it, is parsed and validated in one step.
func ExampleParseFilter() {
	f, err := rules.ParseFilter([]byte(`{
		"id": 1, "user": "alice", "name": "my packages", "enabled": true, "destinations": [10],
		"conditions": [
			{"field": "owned", "values": ["@me"]},
			{"field": "agent", "values": ["@me"], "negate": true}
		]}`))
	fmt.Println(f.Name, len(f.Conditions), err)

	_, err = rules.ParseFilter([]byte(`{"id": 2, "user": "alice", "conditions": [
		{"field": "topic", "values": ["org.fedoraproject.*"]},
		{"field": "severity", "values": ["loud"]}]}`))
	fmt.Println(err)
	// Output:
	// my packages 2 <nil>
	// condition 1 (severity): bad severity "loud" (want debug, info, warning, error or 10, 20, 30, 40)
}

// ValidateConditions refuses a filter made only of negations.
func ExampleValidateConditions() {
	err := rules.ValidateConditions([]rules.Condition{
		{Field: rules.FieldAgent, Values: []string{rules.Me}, Negate: true},
	})
	fmt.Println(err)
	// Output:
	// filter: every condition is negated (the filter would match almost everything)
}

// The naive evaluator is the reference the compiled matcher is tested against.
func ExampleNaive() {
	s := &rules.Snapshot{
		Filters: []rules.Filter{{
			ID: 1, User: "alice", Enabled: true, Destinations: []int64{10},
			Conditions: []rules.Condition{
				{Field: rules.FieldUser, Values: []string{rules.Me}},
				{Field: rules.FieldAgent, Values: []string{rules.Me}, Negate: true},
			},
		}},
	}
	n := rules.Naive(s)
	m := &message.Message{Topic: "org.fedoraproject.prod.bodhi.update.comment", Agent: "bob", Usernames: []string{"alice", "bob"}}
	fmt.Println(n.Match(m, time.Now()))
	m.Agent = "alice"
	fmt.Println(n.Match(m, time.Now()))
	// Output:
	// [{alice 10 [1]}]
	// []
}

// Compile indexes every user's filters once; Match then looks only at the filters the message
// can concern. Ownership is expanded at Compile time: bob's "artifacts my groups own" filter is
// indexed under kernel because bob is in python-sig, which owns it.
func ExampleCompile() {
	rpm := func(name string) message.Artifact { return message.Artifact{Type: message.ArtifactRPM, Name: name} }
	s := &rules.Snapshot{
		Filters: []rules.Filter{
			{ID: 1, User: "alice", Enabled: true, Destinations: []int64{10}, Conditions: []rules.Condition{
				{Field: rules.FieldOwned, Values: []string{rules.Me}},
				{Field: rules.FieldAgent, Values: []string{rules.Me}, Negate: true},
			}},
			{ID: 2, User: "bob", Enabled: true, Destinations: []int64{20, 21}, Conditions: []rules.Condition{
				{Field: rules.FieldOwned, Values: []string{rules.MyGroups}},
				{Field: rules.FieldTopic, Values: []string{"org.fedoraproject.*.bodhi.*"}},
			}},
			{ID: 3, User: "bob", Enabled: true, Destinations: []int64{20}, Conditions: []rules.Condition{
				{Field: rules.FieldUser, Values: []string{rules.Me}},
			}},
			{ID: 4, User: "carol", Enabled: true, Destinations: []int64{30}, Conditions: []rules.Condition{
				{Field: rules.FieldSeverity, Values: []string{"error"}},
			}},
		},
		Ownership: []rules.Ownership{
			{Artifact: rpm("kernel"), User: "alice"},
			{Artifact: rpm("kernel"), Group: "python-sig"},
		},
		Memberships: []rules.Membership{{Group: "python-sig", User: "bob"}},
	}
	c, err := rules.Compile(s)
	if err != nil {
		panic(err)
	}
	m := &message.Message{
		Topic:     "org.fedoraproject.prod.bodhi.update.comment",
		Severity:  message.SeverityInfo,
		Agent:     "bob",
		Usernames: []string{"bob"},
		Artifacts: []message.Artifact{rpm("kernel")},
	}
	for _, match := range c.Match(m, time.Now()) {
		fmt.Println(match.User, match.Destination, match.Filters)
	}
	st := c.Stats()
	fmt.Println("indexed:", st.Indexed, "always checked:", st.AlwaysCheck)
	// Output:
	// alice 10 [1]
	// bob 20 [2 3]
	// bob 21 [2]
	// indexed: 3 always checked: 1
}

// A worker patches one user's filters into the compiled matcher when they change, instead of
// compiling every user again; the old matcher stays valid for the messages in flight.
func ExampleMatcher_WithUsers() {
	mine := func(user string, id int64) rules.Filter {
		return rules.Filter{
			ID: id, User: user, Enabled: true, Destinations: []int64{10},
			Conditions: []rules.Condition{{Field: rules.FieldUser, Values: []string{rules.Me}}},
		}
	}
	base, err := rules.Compile(&rules.Snapshot{Filters: []rules.Filter{mine("alice", 1), mine("bob", 2)}})
	if err != nil {
		panic(err)
	}
	// bob deleted his filter and carol, a new user, wrote one.
	patched, err := base.WithUsers(map[string][]rules.Filter{
		"bob":   nil,
		"carol": {mine("carol", 3)},
	})
	if err != nil {
		panic(err)
	}
	m := &message.Message{Topic: "org.fedoraproject.prod.bodhi.update.comment", Usernames: []string{"alice", "bob", "carol"}}
	fmt.Println(base.Match(m, time.Now()))
	fmt.Println(patched.Match(m, time.Now()), patched.OverlayUsers())
	// Output:
	// [{alice 10 [1]} {bob 10 [2]}]
	// [{alice 10 [1]} {carol 10 [3]}] 2
}
