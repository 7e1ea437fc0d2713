package ownership_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/internal/ownership"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
)

// corpusBodies returns the body of the first corpus record of each topic asked for.
func corpusBodies(t *testing.T, topics ...string) map[string]json.RawMessage {
	t.Helper()
	recs, err := corpus.LoadDefault()
	require.NoError(t, err)
	out := map[string]json.RawMessage{}
	for _, r := range recs {
		for _, topic := range topics {
			if _, seen := out[topic]; !seen && r.Topic == topic {
				m, err := message.DecodeAMQP(r.AMQP(), 0)
				require.NoError(t, err)
				out[topic] = m.Body
			}
		}
	}
	for _, topic := range topics {
		require.Contains(t, out, topic, "corpus has no %s record", topic)
	}
	return out
}

// edit decodes a JSON object, lets fn change it and encodes it again.
func edit(t *testing.T, body json.RawMessage, fn func(map[string]any)) json.RawMessage {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	fn(m)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

// distGit moves a pagure.io project body into a dist-git namespace.
func distGit(ns string) func(map[string]any) {
	return func(m map[string]any) { m["project"].(map[string]any)["namespace"] = ns }
}

func rpm(name string) message.Artifact {
	return message.Artifact{Type: message.ArtifactRPM, Name: name}
}

const (
	topicUserAdded   = "io.pagure.dev.pagure.project.user.added"
	topicUserAccess  = "io.pagure.dev.pagure.project.user.access.updated"
	topicUserRemoved = "io.pagure.dev.pagure.project.user.removed"
	topicSponsor     = "org.fedoraproject.stg.fas.group.member.sponsor"
	topicRole        = "org.fedoraproject.stg.fas.role.update"
	topicApply       = "org.fedoraproject.stg.fas.group.member.apply"
)

func TestChanges(t *testing.T) {
	t.Parallel()
	c := corpusBodies(t, topicUserAdded, topicUserAccess, topicUserRemoved, topicSponsor, topicRole, topicApply)
	group := func(m map[string]any) {
		m["new_group"] = m["new_user"]
		delete(m, "new_user")
	}
	// Noggin's shape (noggin-messages MemberSponsorV1 and friends); the corpus has none.
	noggin := json.RawMessage(`{"msg": {"agent": "sponsor1", "group": "python-sig", "user": "alice"}}`)

	tests := []struct {
		name    string
		topic   string
		body    json.RawMessage
		owners  []prefs.OwnershipChange
		members []prefs.MembershipChange
	}{
		// Real pagure.io messages: projects outside dist-git are not artifacts.
		{name: "pagure.io user added", topic: topicUserAdded, body: c[topicUserAdded]},
		{name: "pagure.io access updated", topic: topicUserAccess, body: c[topicUserAccess]},
		{name: "pagure.io user removed", topic: topicUserRemoved, body: c[topicUserRemoved]},
		// The same bodies on dist-git: admin access makes ralph an owner of rpms/foo.
		{
			name: "dist-git user added as admin", topic: "org.fedoraproject.prod.pagure.project.user.added",
			body:   edit(t, c[topicUserAdded], distGit("rpms")),
			owners: []prefs.OwnershipChange{{Artifact: rpm("foo"), OwnerKind: prefs.OwnerUser, Owner: "ralph"}},
		},
		// Commit access counts as ownership.
		{
			name: "dist-git access updated to commit", topic: "org.fedoraproject.prod.pagure.project.user.access.updated",
			body:   edit(t, c[topicUserAccess], distGit("rpms")),
			owners: []prefs.OwnershipChange{{Artifact: rpm("foo"), OwnerKind: prefs.OwnerUser, Owner: "ralph"}},
		},
		// Downgrade to ticket removes ownership.
		{
			name: "dist-git access downgraded to ticket", topic: "org.fedoraproject.prod.pagure.project.user.access.updated",
			body: edit(t, c[topicUserAccess], func(m map[string]any) {
				distGit("rpms")(m)
				m["new_access"] = "ticket"
			}),
			owners: []prefs.OwnershipChange{{Artifact: rpm("foo"), OwnerKind: prefs.OwnerUser, Owner: "ralph", Remove: true}},
		},
		// An access level fmn does not know says nothing.
		{
			name: "unknown access level", topic: "org.fedoraproject.prod.pagure.project.user.access.updated",
			body: edit(t, c[topicUserAccess], func(m map[string]any) {
				distGit("rpms")(m)
				m["new_access"] = "overlord"
			}),
		},
		// Collaborator counts; the container namespace gives the containers type.
		{
			name: "container collaborator", topic: "org.fedoraproject.prod.pagure.project.user.added",
			body: edit(t, c[topicUserAdded], func(m map[string]any) {
				distGit("container")(m)
				m["access"] = "collaborator"
			}),
			owners: []prefs.OwnershipChange{{Artifact: message.Artifact{Type: message.ArtifactContainer, Name: "foo"}, OwnerKind: prefs.OwnerUser, Owner: "ralph"}},
		},
		// Pagure before access levels sent no access: those users could commit.
		{
			name: "legacy user added without access", topic: "org.fedoraproject.prod.pagure.project.user.added",
			body: edit(t, c[topicUserAdded], func(m map[string]any) {
				distGit("modules")(m)
				delete(m, "access")
			}),
			owners: []prefs.OwnershipChange{{Artifact: message.Artifact{Type: message.ArtifactModule, Name: "foo"}, OwnerKind: prefs.OwnerUser, Owner: "ralph"}},
		},
		// Removal.
		{
			name: "dist-git user removed", topic: "org.fedoraproject.prod.pagure.project.user.removed",
			body:   edit(t, c[topicUserRemoved], distGit("rpms")),
			owners: []prefs.OwnershipChange{{Artifact: rpm("pingoutest"), OwnerKind: prefs.OwnerUser, Owner: "ralph", Remove: true}},
		},
		// Group added with commit access.
		{
			name: "dist-git group added", topic: "org.fedoraproject.prod.pagure.project.group.added",
			body: edit(t, c[topicUserAdded], func(m map[string]any) {
				distGit("flatpaks")(m)
				group(m)
				m["new_group"] = "kde-sig"
				m["access"] = "commit"
			}),
			owners: []prefs.OwnershipChange{{Artifact: message.Artifact{Type: message.ArtifactFlatpak, Name: "foo"}, OwnerKind: prefs.OwnerGroup, Owner: "kde-sig"}},
		},
		// Group downgraded to ticket.
		{
			name: "dist-git group access to ticket", topic: "org.fedoraproject.prod.pagure.project.group.access.updated",
			body: edit(t, c[topicUserAccess], func(m map[string]any) {
				distGit("rpms")(m)
				group(m)
				m["new_access"] = "ticket"
			}),
			owners: []prefs.OwnershipChange{{Artifact: rpm("foo"), OwnerKind: prefs.OwnerGroup, Owner: "ralph", Remove: true}},
		},
		// Groups removed come as a list.
		{
			name: "dist-git groups removed", topic: "org.fedoraproject.prod.pagure.project.group.removed",
			body: edit(t, c[topicUserRemoved], func(m map[string]any) {
				distGit("rpms")(m)
				delete(m, "removed_user")
				m["removed_groups"] = []string{"python-sig", "bad name"}
			}),
			owners: []prefs.OwnershipChange{{Artifact: rpm("pingoutest"), OwnerKind: prefs.OwnerGroup, Owner: "python-sig", Remove: true}},
		},
		// A fork's ACL is not the package's.
		{
			name: "fork", topic: "org.fedoraproject.prod.pagure.project.user.added",
			body: edit(t, c[topicUserAdded], func(m map[string]any) {
				distGit("rpms")(m)
				m["project"].(map[string]any)["parent"] = map[string]any{"name": "foo", "namespace": "rpms"}
			}),
		},
		// The tests namespace of dist-git holds no artifacts.
		{name: "tests namespace", topic: "org.fedoraproject.prod.pagure.project.user.added", body: edit(t, c[topicUserAdded], distGit("tests"))},
		// Real FAS messages: object shape.
		{
			name: "fas sponsor", topic: topicSponsor, body: c[topicSponsor],
			members: []prefs.MembershipChange{{Group: "ambassadors", User: "ralph"}},
		},
		{
			name: "fas role update", topic: topicRole, body: c[topicRole],
			members: []prefs.MembershipChange{{Group: "ambassadors", User: "ralph"}},
		},
		// Applying is not membership.
		{name: "fas apply", topic: topicApply, body: c[topicApply]},
		// The string shape, on a removal topic.
		{
			name: "fas remove, string shape", topic: "org.fedoraproject.prod.fas.group.member.remove", body: c[topicApply],
			members: []prefs.MembershipChange{{Group: "ambassadors", User: "ralph", Remove: true}},
		},
		// Noggin wraps the fields in msg.
		{
			name: "noggin sponsor", topic: "org.fedoraproject.prod.fas.group.member.sponsor", body: noggin,
			members: []prefs.MembershipChange{{Group: "python-sig", User: "alice"}},
		},
		{
			name: "noggin remove", topic: "org.fedoraproject.prod.fas.group.member.remove", body: noggin,
			members: []prefs.MembershipChange{{Group: "python-sig", User: "alice", Remove: true}},
		},
		// Malformed bodies give nothing.
		{name: "not json", topic: "org.fedoraproject.prod.pagure.project.user.added", body: json.RawMessage(`{"project":`)},
		{name: "project is a string", topic: "org.fedoraproject.prod.pagure.project.user.added", body: json.RawMessage(`{"project": "rpms/foo", "new_user": "a", "access": "admin"}`)},
		{name: "user is a number", topic: "org.fedoraproject.prod.pagure.project.user.added", body: json.RawMessage(`{"project": {"name": "foo", "namespace": "rpms"}, "new_user": 7, "access": "admin"}`)},
		{name: "empty user", topic: "org.fedoraproject.prod.pagure.project.user.added", body: json.RawMessage(`{"project": {"name": "foo", "namespace": "rpms"}, "new_user": "", "access": "admin"}`)},
		{name: "no project", topic: "org.fedoraproject.prod.pagure.project.user.removed", body: json.RawMessage(`{"removed_user": "a"}`)},
		{name: "member without group", topic: "org.fedoraproject.prod.fas.group.member.sponsor", body: json.RawMessage(`{"user": "a"}`)},
		{name: "member group is a list", topic: "org.fedoraproject.prod.fas.group.member.sponsor", body: json.RawMessage(`{"group": ["a"], "user": "b"}`)},
		{name: "over-long name", topic: "org.fedoraproject.prod.fas.group.member.sponsor", body: json.RawMessage(`{"group": "` + strings.Repeat("g", 256) + `", "user": "b"}`)},
		{name: "null body", topic: "org.fedoraproject.prod.fas.group.member.sponsor", body: json.RawMessage(`null`)},
		{name: "empty body", topic: "org.fedoraproject.prod.fas.group.member.sponsor"},
		// Topics no rule matches give nothing, whatever the body says.
		{name: "other topic", topic: "org.fedoraproject.prod.bodhi.update.comment", body: edit(t, c[topicUserAdded], distGit("rpms"))},
		{name: "near miss", topic: "org.fedoraproject.prod.pagure.project.user.added.extra", body: edit(t, c[topicUserAdded], distGit("rpms"))},
	}
	rules := ownership.DefaultRules()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			owners, members := rules.Changes(&message.Message{Topic: tt.topic, Body: tt.body})
			require.Equal(t, tt.owners, owners)
			require.Equal(t, tt.members, members)
		})
	}
}

func TestChangesNilMessage(t *testing.T) {
	t.Parallel()
	owners, members := ownership.DefaultRules().Changes(nil)
	require.Nil(t, owners)
	require.Nil(t, members)
}

// TestChangesUnmatchedTopicIsCheap checks that a message whose topic matches no rule costs no
// allocation: its body is never decoded.
func TestChangesUnmatchedTopicIsCheap(t *testing.T) {
	rules := ownership.DefaultRules()
	m := &message.Message{Topic: "org.fedoraproject.prod.buildsys.task.state.change", Body: json.RawMessage(`{"big": "body"}`)}
	allocs := testing.AllocsPerRun(100, func() { rules.Changes(m) })
	require.Zero(t, allocs)
}

func TestGrantsOwnership(t *testing.T) {
	t.Parallel()
	for _, a := range []string{"owner", "admin", "commit", "collaborator"} {
		require.True(t, ownership.GrantsOwnership(a), a)
	}
	for _, a := range []string{"ticket", "", "Admin"} {
		require.False(t, ownership.GrantsOwnership(a), a)
	}
}

func FuzzChanges(f *testing.F) {
	recs, err := corpus.LoadDefault()
	if err == nil {
		for _, r := range recs {
			if strings.Contains(r.Topic, ".fas.") || strings.Contains(r.Topic, ".pagure.project.") {
				f.Add(r.Topic, []byte(r.Body))
			}
		}
	}
	f.Add("org.fedoraproject.prod.pagure.project.group.removed", []byte(`{"project": {"name": "x", "namespace": "rpms", "parent": null}, "removed_groups": "g"}`))
	f.Add("org.fedoraproject.prod.fas.group.member.remove", []byte(`{"msg": {"group": {"name": "g"}, "user": {"username": "u"}}}`))
	rules := ownership.DefaultRules()
	f.Fuzz(func(t *testing.T, topic string, body []byte) {
		owners, members := rules.Changes(&message.Message{Topic: topic, Body: body})
		for _, o := range owners {
			require.True(t, ownership.ValidName(o.Owner) && ownership.ValidName(o.Artifact.Name))
			require.Contains(t, []string{prefs.OwnerUser, prefs.OwnerGroup}, o.OwnerKind)
		}
		for _, m := range members {
			require.True(t, ownership.ValidName(m.Group) && ownership.ValidName(m.User))
		}
	})
}
