package web

import (
	"errors"
	"net/http"
	"slices"

	"fmn/pkg/prefs"
)

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, err := h.authenticate(r); err == nil {
		seeOther(w, r, next)
		return
	}
	h.render(w, r, http.StatusOK, "login", view{Title: "Log in",
		Data: map[string]any{"OIDC": h.oidc != nil, "Dev": h.cfg.DevLogin, "Next": next}})
}

// devLogin logs in as the typed name, creating the user: development only, refused unless
// FMN_WEB_DEV_LOGIN is on.
func (h *handler) devLogin(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.DevLogin {
		h.pageError(w, r, &apiError{http.StatusNotFound, "The development login is off."})
		return
	}
	if err := h.loginAs(r, identity{Username: r.PostFormValue("name")}); err != nil {
		h.loginFailed(w, r, err)
		return
	}
	seeOther(w, r, safeNext(r.PostFormValue("next")))
}

// identity is who a login method says the person is.
type identity struct {
	Username, Email string
}

// loginAs finds or creates the user of id and starts their session, under a new session token
// (so a token planted before login is worthless after it).
func (h *handler) loginAs(r *http.Request, id identity) error {
	ctx := r.Context()
	u, err := h.store.UserByName(ctx, id.Username)
	if errors.Is(err, prefs.ErrNotFound) {
		u, err = h.store.CreateUser(ctx, id.Username, id.Email)
		if errors.Is(err, prefs.ErrConflict) { // created by a concurrent first login
			u, err = h.store.UserByName(ctx, id.Username)
		}
	}
	if err != nil {
		return err
	}
	if slices.Contains(h.cfg.Admins, u.Name) && !u.IsAdmin {
		if err := h.store.SetAdmin(ctx, u.Name, true); err != nil {
			return err
		}
	}
	if err := h.sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.sessions.Put(ctx, sessionUserKey, u.Name)
	h.logger.InfoContext(ctx, "login", "user", u.Name)
	return nil
}

// loginFailed shows why a login did not work.
func (h *handler) loginFailed(w http.ResponseWriter, r *http.Request, err error) {
	var inv *prefs.InvalidError
	if errors.As(err, &inv) {
		h.render(w, r, http.StatusUnprocessableEntity, "login", view{Title: "Log in", Error: "That is not a valid user name: " + inv.Reason,
			Data: map[string]any{"OIDC": h.oidc != nil, "Dev": h.cfg.DevLogin, "Next": "/"}})
		return
	}
	h.pageError(w, r, err)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.sessions.Destroy(r.Context()); err != nil {
		h.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/login")
}
