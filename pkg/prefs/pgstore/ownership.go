package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

func validArtifactType(t message.ArtifactType) bool {
	switch t {
	case message.ArtifactRPM, message.ArtifactContainer, message.ArtifactModule, message.ArtifactFlatpak:
		return true
	}
	return false
}

// ApplyOwnership applies ownership and membership changes in one transaction with one outbox row
// (workers reload ownership as a whole). Adding what exists and removing what does not are no-ops.
func (s *Store) ApplyOwnership(ctx context.Context, owners []prefs.OwnershipChange, members []prefs.MembershipChange) error {
	for _, c := range owners {
		if !validArtifactType(c.Artifact.Type) || c.Artifact.Name == "" || c.Owner == "" ||
			(c.OwnerKind != prefs.OwnerUser && c.OwnerKind != prefs.OwnerGroup) {
			return &prefs.InvalidError{Field: "ownership", Reason: fmt.Sprintf("incomplete ownership change %+v", c)}
		}
	}
	for _, c := range members {
		if c.Group == "" || c.User == "" {
			return &prefs.InvalidError{Field: "membership", Reason: "group and user are required"}
		}
	}
	if len(owners) == 0 && len(members) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, c := range owners {
			if c.Remove {
				b.Queue(`DELETE FROM artifact_owners WHERE artifact_type = $1 AND artifact_name = $2 AND owner_kind = $3 AND owner = $4`,
					string(c.Artifact.Type), c.Artifact.Name, c.OwnerKind, c.Owner)
			} else {
				b.Queue(`INSERT INTO artifact_owners (artifact_type, artifact_name, owner_kind, owner) VALUES ($1, $2, $3, $4)
					ON CONFLICT DO NOTHING`, string(c.Artifact.Type), c.Artifact.Name, c.OwnerKind, c.Owner)
			}
		}
		for _, c := range members {
			if c.Remove {
				b.Queue(`DELETE FROM group_members WHERE group_name = $1 AND user_name = $2`, c.Group, c.User)
			} else {
				b.Queue(`INSERT INTO group_members (group_name, user_name) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.Group, c.User)
			}
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return mapErr("apply ownership", err)
		}
		return outboxChange(ctx, tx, "")
	})
}

// ReplaceArtifactOwners makes the owners of each given artifact exactly those listed (an importer
// calls it with what the package source says), in one transaction with one outbox row.
func (s *Store) ReplaceArtifactOwners(ctx context.Context, owners map[message.Artifact][]prefs.OwnershipChange) error {
	if len(owners) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for a, cs := range owners {
			if !validArtifactType(a.Type) || a.Name == "" {
				return &prefs.InvalidError{Field: "ownership", Reason: fmt.Sprintf("bad artifact %s/%s", a.Type, a.Name)}
			}
			b.Queue(`DELETE FROM artifact_owners WHERE artifact_type = $1 AND artifact_name = $2`, string(a.Type), a.Name)
			for _, c := range cs {
				if c.Owner == "" || (c.OwnerKind != prefs.OwnerUser && c.OwnerKind != prefs.OwnerGroup) {
					continue
				}
				b.Queue(`INSERT INTO artifact_owners (artifact_type, artifact_name, owner_kind, owner) VALUES ($1, $2, $3, $4)
					ON CONFLICT DO NOTHING`, string(a.Type), a.Name, c.OwnerKind, c.Owner)
			}
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return mapErr("replace artifact owners", err)
		}
		return outboxChange(ctx, tx, "")
	})
}

// querier is what the ownership readers need of a transaction or the pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadOwnership reads every ownership and membership row into rules form.
func loadOwnership(ctx context.Context, q querier, s *rules.Snapshot) error {
	return readOwnership(ctx, q, s, "", nil, "", nil)
}

// OwnershipFor reads what matching user's filters needs of ownership and memberships: the user's
// groups, and the artifacts owned by the user, by those groups, and by the users and groups the
// filters' owned conditions name. It is a one-user snapshot's ownership part (the filter preview).
func (s *Store) OwnershipFor(ctx context.Context, user string, fs []rules.Filter) (rules.Snapshot, error) {
	var snap rules.Snapshot
	if err := readOwnership(ctx, s.pool, &snap, "WHERE false", nil, "WHERE user_name = $1", []any{user}); err != nil {
		return snap, err
	}
	users, groups := []string{user}, []string{}
	for _, m := range snap.Memberships {
		groups = append(groups, m.Group)
	}
	for _, f := range fs {
		for _, c := range f.Conditions {
			if c.Field != rules.FieldOwned {
				continue
			}
			for _, v := range c.Values {
				switch g, isGroup := strings.CutPrefix(v, "group:"); {
				case isGroup:
					groups = append(groups, g)
				case v != rules.Me && v != rules.MyGroups:
					users = append(users, v)
				}
			}
		}
	}
	where := `WHERE (owner_kind = 'user' AND owner = ANY($1)) OR (owner_kind = 'group' AND owner = ANY($2))`
	return snap, readOwnership(ctx, s.pool, &snap, where, []any{users, groups}, "WHERE false", nil)
}

// readOwnership reads the ownership rows matching ownerWhere and the membership rows matching
// memberWhere (with their arguments) into s.
func readOwnership(ctx context.Context, q querier, s *rules.Snapshot, ownerWhere string, ownerArgs []any, memberWhere string, memberArgs []any) error {
	rows, err := q.Query(ctx, `SELECT artifact_type, artifact_name, owner_kind, owner FROM artifact_owners `+ownerWhere, ownerArgs...)
	if err != nil {
		return fmt.Errorf("ownership: %w", err)
	}
	var typ, name, kind, owner string
	_, err = pgx.ForEachRow(rows, []any{&typ, &name, &kind, &owner}, func() error {
		o := rules.Ownership{Artifact: message.Artifact{Type: message.ArtifactType(typ), Name: name}}
		if kind == prefs.OwnerGroup {
			o.Group = owner
		} else {
			o.User = owner
		}
		s.Ownership = append(s.Ownership, o)
		return nil
	})
	if err != nil {
		return fmt.Errorf("ownership: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT group_name, user_name FROM group_members `+memberWhere, memberArgs...)
	if err != nil {
		return fmt.Errorf("memberships: %w", err)
	}
	var g, u string
	_, err = pgx.ForEachRow(rows, []any{&g, &u}, func() error {
		s.Memberships = append(s.Memberships, rules.Membership{Group: g, User: u})
		return nil
	})
	if err != nil {
		return fmt.Errorf("memberships: %w", err)
	}
	return nil
}
