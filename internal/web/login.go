package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"fmn/internal/config"
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
// the development login), Email an address the provider verified (or none).
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
	// An address the provider has not verified may be anybody's: it is not kept.
	email := id.Email
	if !id.EmailVerified {
		email = ""
	}
	if err := h.loginAs(r, identity{Username: id.Username, Email: email, Subject: id.Subject}); err != nil {
		h.loginFailed(w, r, err)
		return
	}
	seeOther(w, r, next)
}

// loginAs finds or creates the user of id and starts their session, under a new session token
// (so a token planted before login is worthless after it).
func (h *handler) loginAs(r *http.Request, id identity) error {
	ctx := r.Context()
	adminSubject, listedAdmin := adminEntry(h.cfg.Admins, id.Username)
	if id.Subject != "" && adminSubject != "" && id.Subject != adminSubject {
		// The operator named the subject of this administrator: the name is reserved for it.
		return fmt.Errorf("login as administrator %q from another subject: %w", id.Username, prefs.ErrConflict)
	}
	u, err := h.store.UserByName(ctx, id.Username)
	if errors.Is(err, prefs.ErrNotFound) {
		u, err = h.store.CreateUserWithSubject(ctx, id.Username, id.Email, id.Subject)
		if errors.Is(err, prefs.ErrConflict) { // created by a concurrent first login
			u, err = h.store.UserByName(ctx, id.Username)
		}
	}
	if err != nil {
		return err
	}
	if id.Subject != "" {
		// An account that existed before this login is bound to its first subject only if the
		// provider guarantees the name, or the operator pinned the subject in FMN_WEB_ADMINS.
		claim := h.cfg.OIDC.UsernameUnique || adminSubject == id.Subject
		if err := h.store.BindSubject(ctx, u.Name, id.Subject, claim); err != nil {
			return err
		}
	}
	// A plain name in FMN_WEB_ADMINS makes an administrator only where names are the provider's
	// guarantee (or at the development login); elsewhere the entry must pin the subject.
	trusted := id.Subject == "" || adminSubject != "" || h.cfg.OIDC.UsernameUnique
	if listedAdmin && trusted && !u.IsAdmin {
		if err := h.store.SetAdmin(ctx, u.Name, true); err != nil {
			return err
		}
	}
	if err := h.sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.sessions.Put(ctx, sessionUserKey, u.Name)
	// When it logged in: logging out everywhere ends the sessions that logged in before.
	h.sessions.Put(ctx, sessionLoginKey, h.now().UnixNano())
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
	if errors.Is(err, prefs.ErrSubjectUnconfirmed) {
		h.logger.WarnContext(r.Context(), "login to an account bound to no subject refused; bind it with fmnctl bind-subject", "error", err)
		h.pageError(w, r, &apiError{http.StatusForbidden,
			"This account was set up before its first login: an administrator must confirm it is yours before you can use it."})
		return
	}
	h.pageError(w, r, err)
}

// logout ends this browser's session.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.sessions.Destroy(r.Context()); err != nil {
		h.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/login")
}

// logoutEverywhere ends every session of the user, on every browser (this one included), and
// closes their open streams (revocations.revoke). API tokens stay: they are revoked one by one on
// the tokens page.
func (h *handler) logoutEverywhere(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	ctx := r.Context()
	if err := h.revocations.revoke(ctx, u.Name, h.now()); err != nil {
		return err
	}
	if err := h.sessions.Destroy(ctx); err != nil {
		return fmt.Errorf("destroy session: %w", err)
	}
	h.logger.InfoContext(ctx, "logout everywhere", "user", u.Name)
	seeOther(w, r, "/login")
	return nil
}

// adminEntry looks name up in FMN_WEB_ADMINS, whose entries are "name" or "name=subject": it
// reports whether name is listed and the subject its entry pins, if any.
func adminEntry(admins []string, name string) (subject string, listed bool) {
	for _, a := range admins {
		n, sub, _ := strings.Cut(a, "=")
		if n == name {
			return sub, true
		}
	}
	return "", false
}

// checkAdmins refuses FMN_WEB_ADMINS entries that are not "name" or "name=subject".
func checkAdmins(r *config.Reader, admins []string) {
	for _, a := range admins {
		n, sub, pinned := strings.Cut(a, "=")
		if prefs.ValidateUserName(n) != nil || (pinned && sub == "") {
			r.Fail("FMN_WEB_ADMINS", "%q is not a user name, or name=subject with the OpenID subject the operator confirmed", a)
		}
	}
}

// warnUnpinnedAdmins logs the FMN_WEB_ADMINS entries that will make nobody an administrator
// through the OpenID provider: plain names, where the provider does not guarantee them.
func warnUnpinnedAdmins(ctx context.Context, logger *slog.Logger, cfg Config) {
	if !cfg.OIDC.Enabled() || cfg.OIDC.UsernameUnique {
		return
	}
	for _, a := range cfg.Admins {
		if !strings.Contains(a, "=") {
			logger.WarnContext(ctx, "FMN_WEB_ADMINS names an administrator without a subject, and FMN_OIDC_USERNAME_UNIQUE is off: "+
				"logging in with that name does not make an administrator; write name=subject", "user", a)
		}
	}
}
