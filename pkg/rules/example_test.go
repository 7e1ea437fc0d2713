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
