package ownership

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"

	"fmn/pkg/message"
	"fmn/pkg/prefs"
)

// namespaceTypes maps dist-git namespaces to artifact types. Other namespaces (tests, pagure.io
// project namespaces) are not artifacts.
var namespaceTypes = map[string]message.ArtifactType{
	"rpms":      message.ArtifactRPM,
	"container": message.ArtifactContainer,
	"modules":   message.ArtifactModule,
	"flatpaks":  message.ArtifactFlatpak,
}

// ArtifactForNamespace returns the artifact type of a dist-git namespace ("container" gives
// "containers"), and false for a namespace that holds no artifacts.
func ArtifactForNamespace(ns string) (message.ArtifactType, bool) {
	t, ok := namespaceTypes[ns]
	return t, ok
}

// Access levels of Pagure project ACLs.
const (
	accessOwner        = "owner"
	accessAdmin        = "admin"
	accessCommit       = "commit"
	accessCollaborator = "collaborator"
	accessTicket       = "ticket"
)

// GrantsOwnership reports whether a Pagure access level makes its holder an owner for fmn:
// owner, admin, commit and collaborator do; ticket does not.
func GrantsOwnership(access string) bool {
	switch access {
	case accessOwner, accessAdmin, accessCommit, accessCollaborator:
		return true
	}
	return false
}

// maxName bounds user, group and artifact names, as the database does.
const maxName = 255

// ValidName reports whether s can be a user, group or artifact name: 1 to 255 bytes, no spaces
// or control characters.
func ValidName(s string) bool {
	if s == "" || len(s) > maxName {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar })
}

// Changes returns the ownership and membership changes a message announces: nothing (nil, nil)
// for a topic no rule matches, checked before the body is looked at, and nothing for a body that
// does not have the expected shape. It never panics on any input.
func (r *Rules) Changes(m *message.Message) (owners []prefs.OwnershipChange, members []prefs.MembershipChange) {
	if m == nil {
		return nil, nil
	}
	action, ok := r.Match(m.Topic)
	if !ok {
		return nil, nil
	}
	switch action {
	case ActionPagureACL:
		return pagureACL(m.Body), nil
	case ActionMemberAdd:
		return nil, membership(m.Body, false)
	case ActionMemberRemove:
		return nil, membership(m.Body, true)
	}
	return nil, nil
}

// pagureBody is what the ACL topics of Pagure carry (pagure/lib/query.py, pagure-messages):
//
//	user.added           {project, new_user, access, agent}
//	user.access.updated  {project, new_user, new_access, agent}
//	user.removed         {project, removed_user, agent}
//	group.added          {project, new_group, access, agent}
//	group.access.updated {project, new_group, new_access, agent}
//	group.removed        {project, removed_groups: [names], agent}
type pagureBody struct {
	Project *struct {
		Name      string          `json:"name"`
		Namespace *string         `json:"namespace"`
		Parent    json.RawMessage `json:"parent"`
	} `json:"project"`
	NewUser       *string         `json:"new_user"`
	NewGroup      *string         `json:"new_group"`
	Access        *string         `json:"access"`
	NewAccess     *string         `json:"new_access"`
	RemovedUser   *string         `json:"removed_user"`
	RemovedGroups json.RawMessage `json:"removed_groups"`
}

func pagureACL(body json.RawMessage) []prefs.OwnershipChange {
	var b pagureBody
	if err := json.Unmarshal(body, &b); err != nil || b.Project == nil || b.Project.Namespace == nil {
		return nil
	}
	if p := bytes.TrimSpace(b.Project.Parent); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		return nil // a fork: its ACL is not the package's
	}
	typ, ok := ArtifactForNamespace(*b.Project.Namespace)
	if !ok || !ValidName(b.Project.Name) {
		return nil
	}
	art := message.Artifact{Type: typ, Name: b.Project.Name}
	change := func(kind, owner string, remove bool) prefs.OwnershipChange {
		return prefs.OwnershipChange{Artifact: art, OwnerKind: kind, Owner: owner, Remove: remove}
	}
	// The level a user or group now has: new_access on updates, access on additions. Pagure
	// before access levels (< 3.0) sent user.added without one, and every such user could commit.
	level := accessCommit
	switch {
	case b.NewAccess != nil:
		level = *b.NewAccess
	case b.Access != nil:
		level = *b.Access
	}
	var out []prefs.OwnershipChange
	grant := func(kind string, name *string) {
		if name == nil || !ValidName(*name) {
			return
		}
		switch {
		case GrantsOwnership(level):
			out = append(out, change(kind, *name, false))
		case level == accessTicket:
			out = append(out, change(kind, *name, true))
		}
		// An unknown level says nothing we can act on.
	}
	grant(prefs.OwnerUser, b.NewUser)
	grant(prefs.OwnerGroup, b.NewGroup)
	if b.RemovedUser != nil && ValidName(*b.RemovedUser) {
		out = append(out, change(prefs.OwnerUser, *b.RemovedUser, true))
	}
	for _, g := range stringOrList(b.RemovedGroups) {
		if ValidName(g) {
			out = append(out, change(prefs.OwnerGroup, g, true))
		}
	}
	return out
}

// stringOrList decodes a JSON string or list of strings; anything else gives nil.
func stringOrList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}
	}
	return nil
}

// membershipBody covers the shapes group membership messages have had: FAS2
// {"group": {"name"}, "user": {"username"}} or {"group": "x", "user": "y"}, and Noggin
// {"msg": {"group", "user", "agent"}}.
type membershipBody struct {
	Group json.RawMessage `json:"group"`
	User  json.RawMessage `json:"user"`
	Msg   *struct {
		Group json.RawMessage `json:"group"`
		User  json.RawMessage `json:"user"`
	} `json:"msg"`
}

func membership(body json.RawMessage, remove bool) []prefs.MembershipChange {
	var b membershipBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil
	}
	group, user := b.Group, b.User
	if b.Msg != nil && len(group) == 0 && len(user) == 0 {
		group, user = b.Msg.Group, b.Msg.User
	}
	g, u := nameOf(group, "name"), nameOf(user, "username")
	if !ValidName(g) || !ValidName(u) {
		return nil
	}
	return []prefs.MembershipChange{{Group: g, User: u, Remove: remove}}
}

// nameOf reads a name given as a JSON string or as an object with the field key (or "name").
func nameOf(raw json.RawMessage, key string) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return ""
	}
	for _, k := range []string{key, "name"} {
		if v, ok := obj[k]; ok {
			if err := json.Unmarshal(v, &s); err == nil {
				return s
			}
		}
	}
	return ""
}
