package web

import (
	"net/http"
	"time"

	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// filterInput is a filter as the API takes it.
type filterInput struct {
	Name         string            `json:"name"`
	Enabled      *bool             `json:"enabled"`
	OneShot      bool              `json:"one_shot"`
	Destinations []int64           `json:"destinations"`
	Conditions   []rules.Condition `json:"conditions"`
}

func decodeFilter(r *http.Request) (rules.Filter, error) {
	var in filterInput
	if err := decode(r, &in); err != nil {
		return rules.Filter{}, err
	}
	return rules.Filter{Name: in.Name, Enabled: in.Enabled == nil || *in.Enabled, OneShot: in.OneShot,
		Destinations: in.Destinations, Conditions: in.Conditions}, nil
}

func (h *handler) getFilter(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	f, err := h.store.Filter(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (h *handler) updateFilter(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	f, err := decodeFilter(r)
	if err != nil {
		return err
	}
	f.ID = id
	out, err := h.store.UpdateFilter(r.Context(), u, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) deleteFilter(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteFilter(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) updateDestination(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	var in struct {
		Enabled        *bool   `json:"enabled"`
		Format         *string `json:"format"`
		DigestMaxDelay *string `json:"digest_max_delay"`
		DigestMaxCount *int    `json:"digest_max_count"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	upd := prefs.DestinationUpdate{Enabled: in.Enabled, Format: in.Format, DigestMaxCount: in.DigestMaxCount}
	if in.DigestMaxDelay != nil {
		d := time.Duration(0)
		if *in.DigestMaxDelay != "" {
			if d, err = time.ParseDuration(*in.DigestMaxDelay); err != nil {
				return &apiError{http.StatusUnprocessableEntity, "digest_max_delay: is not a duration such as 30m"}
			}
		}
		upd.DigestMaxDelay = &d
	}
	if err := h.store.UpdateDestination(r.Context(), u, id, upd); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) deleteDestination(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteDestination(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// applyOwnership adds or removes artifact owners and group members (for operators and importers).
func (h *handler) applyOwnership(w http.ResponseWriter, r *http.Request) error {
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

// userAndID loads the user named in the path and reads the {id} path value.
func (h *handler) userAndID(r *http.Request) (prefs.User, int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return prefs.User{}, 0, err
	}
	u, err := h.user(r)
	return u, id, err
}
