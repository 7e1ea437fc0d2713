package ownership_test

import (
	"encoding/json"
	"fmt"

	"fmn/internal/ownership"
	"fmn/pkg/message"
)

// ExampleParseRules configures the rules as FMN_OWNERSHIP_TOPICS would: the defaults plus one
// more membership topic.
func ExampleParseRules() {
	rules, err := ownership.ParseRules("defaults, member-add=fas.group.member.approve")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, members := rules.Changes(&message.Message{
		Topic: "org.fedoraproject.prod.fas.group.member.approve",
		Body:  json.RawMessage(`{"msg": {"agent": "bob", "group": "python-sig", "user": "alice"}}`),
	})
	fmt.Printf("%+v\n", members)

	_, err = ownership.ParseRules("member-add=fas.group.*member")
	fmt.Println(err)
	// Output:
	// [{Group:python-sig User:alice Remove:false}]
	// ownership rule "member-add=fas.group.*member": word "*member": '*' and '#' must be whole words (AMQP-style pattern, not fnmatch)
}

// ExampleRules_Changes reads a dist-git ACL message.
func ExampleRules_Changes() {
	owners, _ := ownership.DefaultRules().Changes(&message.Message{
		Topic: "org.fedoraproject.prod.pagure.project.user.access.updated",
		Body: json.RawMessage(`{"agent": "pingou", "new_user": "ralph", "new_access": "ticket",
			"project": {"name": "python-requests", "namespace": "rpms", "parent": null}}`),
	})
	fmt.Printf("%+v\n", owners)
	// Output:
	// [{Artifact:{Type:rpms Name:python-requests} OwnerKind:user Owner:ralph Remove:true}]
}
