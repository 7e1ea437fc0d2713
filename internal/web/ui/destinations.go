package ui

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"fmn/internal/web/limit"
	"fmn/internal/web/param"
	"fmn/pkg/prefs"
)

// Destinations lists the user's destinations.
func (h *Handler) Destinations(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	return h.renderDestinations(w, r, u, http.StatusOK, "")
}

func (h *Handler) renderDestinations(w http.ResponseWriter, r *http.Request, u prefs.User, status int, problem string) error {
	ds, err := h.store.Destinations(r.Context(), u)
	if err != nil {
		return err
	}
	h.render(w, r, status, viewDestinations, view{Title: "Destinations", Nav: "destinations", Error: problem,
		Data: map[string]any{"Destinations": ds, "Quotas": h.store.Quotas()}})
	return nil
}

// AddDestination adds an email or IRC destination and sends its confirmation.
func (h *Handler) AddDestination(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	kind := r.PostFormValue("kind")
	if kind != "email" && kind != "irc" {
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Choose email or IRC.")
	}
	d := prefs.Destination{Kind: kind, Address: strings.TrimSpace(r.PostFormValue("address")), Format: r.PostFormValue("format")}
	out, err := h.store.CreateDestination(r.Context(), u, d)
	var inv *prefs.InvalidError
	var qe *prefs.QuotaError
	switch {
	case errors.As(err, &inv):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, inv.Error())
	case errors.As(err, &qe):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Not added: "+qe.Error()+".")
	case errors.Is(err, prefs.ErrConflict):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "You already have that destination.")
	case err != nil:
		return err
	}
	h.flash(r, h.afterAdd(r, u, out))
	seeOther(w, r, "/destinations")
	return nil
}

// afterAdd starts the confirmation of a new destination and says what happens next.
func (h *Handler) afterAdd(r *http.Request, u prefs.User, d prefs.Destination) string {
	err := h.confirmations.Start(r.Context(), u, d)
	var qe *prefs.QuotaError
	if errors.As(err, &qe) {
		return "Added " + d.Address + ", but no confirmation was sent: " + qe.Error() + "."
	}
	if err != nil {
		h.logger.WarnContext(r.Context(), "send confirmation", "user", u.Name, "destination", d.ID, "error", err)
		return "Added " + d.Address + ", but the confirmation could not be sent: try “send again” in a minute."
	}
	if d.Kind == "irc" {
		return "Added " + d.Address + ". The fmn bot is sending that nick a code: type it here to confirm."
	}
	return "Added " + d.Address + ". We sent it a confirmation link: open it to start receiving notifications."
}

// UpdateDestination saves a destination's settings: enabled, format, digest.
func (h *Handler) UpdateDestination(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	enabled := r.PostFormValue("enabled") == "1"
	format := r.PostFormValue("format")
	count := param.FormInt(r, "digest_max_count")
	upd := prefs.DestinationUpdate{Enabled: &enabled, Format: &format, DigestMaxCount: &count}
	delay := time.Duration(0)
	if s := strings.TrimSpace(r.PostFormValue("digest_max_delay")); s != "" {
		if delay, err = time.ParseDuration(s); err != nil {
			return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Digest delay: write a duration such as 30m or 2h.")
		}
	}
	upd.DigestMaxDelay = &delay
	err = h.store.UpdateDestination(r.Context(), u, id, upd)
	var inv *prefs.InvalidError
	if errors.As(err, &inv) {
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, inv.Error())
	}
	if err != nil {
		return err
	}
	h.flash(r, "Saved.")
	seeOther(w, r, "/destinations")
	return nil
}

// DeleteDestination deletes a destination.
func (h *Handler) DeleteDestination(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteDestination(r.Context(), u, id); err != nil {
		return err
	}
	h.flash(r, "Deleted.")
	seeOther(w, r, "/destinations")
	return nil
}

// ConfirmCode confirms a destination with the code the bot sent.
func (h *Handler) ConfirmCode(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	err = h.store.ConfirmByCode(r.Context(), u, id, r.PostFormValue("code"))
	if prefs.IsConfirmationError(err) {
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, "Not confirmed: "+err.Error()+".")
	}
	if err != nil {
		return err
	}
	h.flash(r, "Confirmed.")
	seeOther(w, r, "/destinations")
	return nil
}

// ResendConfirmation sends a destination a new confirmation link or code.
func (h *Handler) ResendConfirmation(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	id, err := param.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.store.Destination(r.Context(), u, id)
	if err != nil {
		return err
	}
	err = h.confirmations.Start(r.Context(), u, d)
	var qe *prefs.QuotaError
	switch {
	case prefs.IsConfirmationError(err):
		return h.renderDestinations(w, r, u, http.StatusUnprocessableEntity, err.Error()+".")
	case errors.As(err, &qe):
		limit.SetRetryAfter(w, err)
		return h.renderDestinations(w, r, u, http.StatusTooManyRequests, "Not sent: "+qe.Error()+".")
	}
	if err != nil {
		return err
	}
	h.flash(r, "Sent. It can take a minute to arrive.")
	seeOther(w, r, "/destinations")
	return nil
}
