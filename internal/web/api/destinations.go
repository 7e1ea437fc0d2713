package api

import (
	"net/http"
	"time"

	"fmn/internal/web/httperr"
	"fmn/pkg/prefs"
)

// CreateDestination adds a destination to the user of the path (unconfirmed).
func (h *Handler) CreateDestination(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind           string `json:"kind"`
		Address        string `json:"address"`
		Format         string `json:"format"`
		DigestMaxDelay string `json:"digest_max_delay"`
		DigestMaxCount int    `json:"digest_max_count"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	d := prefs.Destination{Kind: in.Kind, Address: in.Address, Format: in.Format, DigestMaxCount: in.DigestMaxCount}
	if in.DigestMaxDelay != "" {
		if d.DigestMaxDelay, err = time.ParseDuration(in.DigestMaxDelay); err != nil {
			return &prefs.InvalidError{Field: "digest_max_delay", Reason: "is not a duration such as 30m"}
		}
	}
	out, err := h.store.CreateDestination(r.Context(), u, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// ListDestinations lists the destinations of the user of the path.
func (h *Handler) ListDestinations(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ds, err := h.store.Destinations(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"destinations": ds})
	return nil
}

// UpdateDestination changes a destination: enabled, format and the digest settings (fields left
// out stay).
func (h *Handler) UpdateDestination(w http.ResponseWriter, r *http.Request) error {
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
				return httperr.New(http.StatusUnprocessableEntity, "digest_max_delay: is not a duration such as 30m")
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

// DeleteDestination deletes a destination of the user of the path.
func (h *Handler) DeleteDestination(w http.ResponseWriter, r *http.Request) error {
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
