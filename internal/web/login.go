package web

import (
	"errors"
	"net/http"
	"slices"

	"fmn/internal/oidclogin"
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

// identity is who a login method says the person is; Subject is the OpenID subject (empty for
// the development login).
type identity struct {
	Username, Email, Subject string
}

// Session keys of a login in progress at the OpenID provider.
const (
	oidcStateKey    = "oidc_state"
	oidcNonceKey    = "oidc_nonce"
	oidcVerifierKey = "oidc_verifier"
	oidcNextKey     = "oidc_next"
)

// oidcLogin sends the browser to the OpenID provider, keeping the login's state, nonce and PKCE
// verifier in the session.
func (h *handler) oidcLogin(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		h.pageError(w, r, &apiError{http.StatusNotFound, "OpenID Connect login is not configured."})
		return
	}
	authURL, p := h.oidc.Begin()
	ctx := r.Context()
	h.sessions.Put(ctx, oidcStateKey, p.State)
	h.sessions.Put(ctx, oidcNonceKey, p.Nonce)
	h.sessions.Put(ctx, oidcVerifierKey, p.Verifier)
	h.sessions.Put(ctx, oidcNextKey, safeNext(r.URL.Query().Get("next")))
	http.Redirect(w, r, authURL, http.StatusFound)
}

// oidcCallback finishes a login at the provider: one callback per login (the pending state is
// taken out of the session first), then the user is found or created and logged in.
func (h *handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if h.oidc == nil {
		h.pageError(w, r, &apiError{http.StatusNotFound, "OpenID Connect login is not configured."})
		return
	}
	ctx := r.Context()
	p := oidclogin.Pending{State: h.sessions.PopString(ctx, oidcStateKey), Nonce: h.sessions.PopString(ctx, oidcNonceKey),
		Verifier: h.sessions.PopString(ctx, oidcVerifierKey)}
	next := safeNext(h.sessions.PopString(ctx, oidcNextKey))
	id, err := h.oidc.Finish(ctx, r.URL.Query(), p)
	var pe *oidclogin.ProviderError
	switch {
	case errors.Is(err, oidclogin.ErrState):
		h.pageError(w, r, &apiError{http.StatusBadRequest, "This login expired or was not started here: please log in again."})
		return
	case errors.As(err, &pe):
		h.logger.WarnContext(ctx, "login refused by the provider", "code", pe.Code)
		h.pageError(w, r, &apiError{http.StatusForbidden, "The identity provider refused the login."})
		return
	case errors.Is(err, oidclogin.ErrUsername):
		h.pageError(w, r, &apiError{http.StatusForbidden, "Your account has no user name fmn can use."})
		return
	case err != nil:
		h.logger.ErrorContext(ctx, "login at the provider failed", "error", err)
		h.pageError(w, r, &apiError{http.StatusBadGateway, "The login could not be completed: please try again."})
		return
	}
	if err := h.loginAs(r, identity{Username: id.Username, Email: id.Email, Subject: id.Subject}); err != nil {
		h.loginFailed(w, r, err)
		return
	}
	seeOther(w, r, next)
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
	if id.Subject != "" {
		if err := h.store.BindSubject(ctx, u.Name, id.Subject); err != nil {
			return err
		}
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
	if errors.Is(err, prefs.ErrConflict) {
		h.pageError(w, r, &apiError{http.StatusForbidden, "This user name belongs to another account: ask an administrator."})
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
