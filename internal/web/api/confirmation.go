package api

import (
	"net/http"

	"fmn/internal/web/auth"
	"fmn/pkg/prefs"
)

// ConfirmDestination confirms a destination with the code the bot sent (IRC) or the secret of the
// link (email): {"code": "..."}. An administrator may confirm without one.
func (h *Handler) ConfirmDestination(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	var in struct {
		Code string `json:"code"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	switch {
	case in.Code != "":
		err = h.store.ConfirmByCode(r.Context(), u, id, in.Code)
	case auth.PrincipalFrom(r.Context()).Admin:
		err = h.store.ConfirmDestination(r.Context(), u, id)
	default:
		return &prefs.InvalidError{Field: "code", Reason: "is required: the code the bot sent, or the secret of the emailed link"}
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// SendConfirmation sends a destination a new confirmation link or code.
func (h *Handler) SendConfirmation(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	d, err := h.store.Destination(r.Context(), u, id)
	if err != nil {
		return err
	}
	if err := h.confirmations.Start(r.Context(), u, d); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// ConfirmBySecret confirms by the secret of an emailed link: {"secret": "..."}. The secret is
// the authority, so no login is needed.
func (h *Handler) ConfirmBySecret(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Secret string `json:"secret"`
	}
	if err := decode(r, &in); err != nil {
		h.Fail(w, r, err)
		return
	}
	_, d, err := h.store.ConfirmBySecret(r.Context(), in.Secret)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
