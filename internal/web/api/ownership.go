package api

import (
	"net/http"

	"fmn/pkg/message"
	"fmn/pkg/prefs"
)

// ApplyOwnership adds or removes artifact owners and group members (for operators and importers).
func (h *Handler) ApplyOwnership(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Owners []struct {
			ArtifactType string `json:"artifact_type"`
			Artifact     string `json:"artifact"`
			OwnerKind    string `json:"owner_kind"`
			Owner        string `json:"owner"`
			Remove       bool   `json:"remove"`
		} `json:"owners"`
		Members []struct {
			Group  string `json:"group"`
			User   string `json:"user"`
			Remove bool   `json:"remove"`
		} `json:"members"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	owners := make([]prefs.OwnershipChange, 0, len(in.Owners))
	for _, o := range in.Owners {
		owners = append(owners, prefs.OwnershipChange{Artifact: message.Artifact{Type: message.ArtifactType(o.ArtifactType), Name: o.Artifact},
			OwnerKind: o.OwnerKind, Owner: o.Owner, Remove: o.Remove})
	}
	members := make([]prefs.MembershipChange, 0, len(in.Members))
	for _, m := range in.Members {
		members = append(members, prefs.MembershipChange{Group: m.Group, User: m.User, Remove: m.Remove})
	}
	if err := h.store.ApplyOwnership(r.Context(), owners, members); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
