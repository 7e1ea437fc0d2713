package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"fmn/internal/oidclogin"
	"fmn/internal/web/httperr"
	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
)

// Pages renders what the login routes show: the login form (again, with the problem of the
// attempt) and error pages. The HTML face implements it.
type Pages interface {
	// LoginForm shows the login form with status; next is where a login goes, problem what went
	// wrong (empty: nothing).
	LoginForm(w http.ResponseWriter, r *http.Request, status int, next, problem string)
	// Error shows err as an error page.
	Error(w http.ResponseWriter, r *http.Request, err error)
}

// LoginConfig is how people log in.
type LoginConfig struct {
	// DevLogin lets anyone log in as any user by typing a name (FMN_WEB_DEV_LOGIN).
	DevLogin bool
	// Admins are the users made administrators when they log in (FMN_WEB_ADMINS).
	Admins []string
	// UsernameUnique is true when the OpenID provider guarantees user names
	// (FMN_OIDC_USERNAME_UNIQUE).
	UsernameUnique bool
}

// LoginDeps are the login routes' collaborators.
type LoginDeps struct {
	Auth  *Auth
	Store *pgstore.Store
	// OIDC logs people in through the OpenID provider; nil when none is configured.
	OIDC   *oidclogin.Client
	Pages  Pages
	Logger *slog.Logger
	Now    func() time.Time
}

// Login serves the login and logout routes.
type Login struct {
	cfg    LoginConfig
	auth   *Auth
	store  *pgstore.Store
	oidc   *oidclogin.Client
	pages  Pages
	logger *slog.Logger
	now    func() time.Time
}

// NewLogin returns the login routes of cfg.
func NewLogin(cfg LoginConfig, deps LoginDeps) *Login {
	return &Login{cfg: cfg, auth: deps.Auth, store: deps.Store, oidc: deps.OIDC, pages: deps.Pages, logger: deps.Logger, now: deps.Now}
}

// OIDC reports whether people log in through an OpenID provider.
func (l *Login) OIDC() bool { return l.oidc != nil }

// DevLogin logs in as the typed name, creating the user: development only, refused unless
// FMN_WEB_DEV_LOGIN is on.
func (l *Login) DevLogin(w http.ResponseWriter, r *http.Request) {
	if !l.cfg.DevLogin {
		l.pages.Error(w, r, httperr.New(http.StatusNotFound, "The development login is off."))
		return
	}
	if err := l.loginAs(r, identity{Username: r.PostFormValue("name")}); err != nil {
		l.loginFailed(w, r, err)
		return
	}
	seeOther(w, r, SafeNext(r.PostFormValue("next")))
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

// OIDCLogin sends the browser to the OpenID provider, keeping the login's state, nonce and PKCE
// verifier in the session.
func (l *Login) OIDCLogin(w http.ResponseWriter, r *http.Request) {
	if l.oidc == nil {
		l.pages.Error(w, r, httperr.New(http.StatusNotFound, "OpenID Connect login is not configured."))
		return
	}
	authURL, p := l.oidc.Begin()
	ctx := r.Context()
	l.auth.sessions.Put(ctx, oidcStateKey, p.State)
	l.auth.sessions.Put(ctx, oidcNonceKey, p.Nonce)
	l.auth.sessions.Put(ctx, oidcVerifierKey, p.Verifier)
	l.auth.sessions.Put(ctx, oidcNextKey, SafeNext(r.URL.Query().Get("next")))
	http.Redirect(w, r, authURL, http.StatusFound)
}

// OIDCCallback finishes a login at the provider: one callback per login (the pending state is
// taken out of the session first), then the user is found or created and logged in.
func (l *Login) OIDCCallback(w http.ResponseWriter, r *http.Request) {
	if l.oidc == nil {
		l.pages.Error(w, r, httperr.New(http.StatusNotFound, "OpenID Connect login is not configured."))
		return
	}
	ctx := r.Context()
	p := oidclogin.Pending{State: l.auth.sessions.PopString(ctx, oidcStateKey), Nonce: l.auth.sessions.PopString(ctx, oidcNonceKey),
		Verifier: l.auth.sessions.PopString(ctx, oidcVerifierKey)}
	next := SafeNext(l.auth.sessions.PopString(ctx, oidcNextKey))
	id, err := l.oidc.Finish(ctx, r.URL.Query(), p)
	var pe *oidclogin.ProviderError
	switch {
	case errors.Is(err, oidclogin.ErrState):
		l.pages.Error(w, r, httperr.New(http.StatusBadRequest, "This login expired or was not started here: please log in again."))
		return
	case errors.As(err, &pe):
		l.logger.WarnContext(ctx, "login refused by the provider", "code", pe.Code)
		l.pages.Error(w, r, httperr.New(http.StatusForbidden, "The identity provider refused the login."))
		return
	case errors.Is(err, oidclogin.ErrUsername):
		l.pages.Error(w, r, httperr.New(http.StatusForbidden, "Your account has no user name fmn can use."))
		return
	case err != nil:
		l.logger.ErrorContext(ctx, "login at the provider failed", "error", err)
		l.pages.Error(w, r, httperr.New(http.StatusBadGateway, "The login could not be completed: please try again."))
		return
	}
	// An address the provider has not verified may be anybody's: it is not kept.
	email := id.Email
	if !id.EmailVerified {
		email = ""
	}
	if err := l.loginAs(r, identity{Username: id.Username, Email: email, Subject: id.Subject}); err != nil {
		l.loginFailed(w, r, err)
		return
	}
	seeOther(w, r, next)
}

// loginAs finds or creates the user of id and starts their session, under a new session token
// (so a token planted before login is worthless after it).
func (l *Login) loginAs(r *http.Request, id identity) error {
	ctx := r.Context()
	adminSubject, listedAdmin := adminEntry(l.cfg.Admins, id.Username)
	if id.Subject != "" && adminSubject != "" && id.Subject != adminSubject {
		// The operator named the subject of this administrator: the name is reserved for it.
		return fmt.Errorf("login as administrator %q from another subject: %w", id.Username, prefs.ErrConflict)
	}
	u, err := l.store.UserByName(ctx, id.Username)
	if errors.Is(err, prefs.ErrNotFound) {
		u, err = l.store.CreateUserWithSubject(ctx, id.Username, id.Email, id.Subject)
		if errors.Is(err, prefs.ErrConflict) { // created by a concurrent first login
			u, err = l.store.UserByName(ctx, id.Username)
		}
	}
	if err != nil {
		return err
	}
	if id.Subject != "" {
		// An account that existed before this login is bound to its first subject only if the
		// provider guarantees the name, or the operator pinned the subject in FMN_WEB_ADMINS.
		claim := l.cfg.UsernameUnique || adminSubject == id.Subject
		if err := l.store.BindSubject(ctx, u.Name, id.Subject, claim); err != nil {
			return err
		}
	}
	// A plain name in FMN_WEB_ADMINS makes an administrator only where names are the provider's
	// guarantee (or at the development login); elsewhere the entry must pin the subject.
	trusted := id.Subject == "" || adminSubject != "" || l.cfg.UsernameUnique
	if listedAdmin && trusted && !u.IsAdmin {
		if err := l.store.SetAdmin(ctx, u.Name, true); err != nil {
			return err
		}
	}
	if err := l.auth.sessions.RenewToken(ctx); err != nil {
		return err
	}
	l.auth.sessions.Put(ctx, sessionUserKey, u.Name)
	// When it logged in: logging out everywhere ends the sessions that logged in before.
	l.auth.sessions.Put(ctx, sessionLoginKey, l.now().UnixNano())
	l.logger.InfoContext(ctx, "login", "user", u.Name)
	return nil
}

// loginFailed shows why a login did not work.
func (l *Login) loginFailed(w http.ResponseWriter, r *http.Request, err error) {
	var inv *prefs.InvalidError
	if errors.As(err, &inv) {
		l.pages.LoginForm(w, r, http.StatusUnprocessableEntity, "/", "That is not a valid user name: "+inv.Reason)
		return
	}
	if errors.Is(err, prefs.ErrConflict) {
		l.pages.Error(w, r, httperr.New(http.StatusForbidden, "This user name belongs to another account: ask an administrator."))
		return
	}
	if errors.Is(err, prefs.ErrSubjectUnconfirmed) {
		l.logger.WarnContext(r.Context(), "login to an account bound to no subject refused; bind it with fmnctl bind-subject", "error", err)
		l.pages.Error(w, r, httperr.New(http.StatusForbidden,
			"This account was set up before its first login: an administrator must confirm it is yours before you can use it."))
		return
	}
	l.pages.Error(w, r, err)
}

// Logout ends this browser's session.
func (l *Login) Logout(w http.ResponseWriter, r *http.Request) {
	if err := l.auth.sessions.Destroy(r.Context()); err != nil {
		l.pages.Error(w, r, err)
		return
	}
	seeOther(w, r, "/login")
}

// LogoutEverywhere ends every session of the user, on every browser (this one included), and
// closes their open streams (Revocations.Revoke). API tokens stay: they are revoked one by one on
// the tokens page.
func (l *Login) LogoutEverywhere(w http.ResponseWriter, r *http.Request, u prefs.User) error {
	ctx := r.Context()
	if err := l.auth.revocations.Revoke(ctx, u.Name, l.now()); err != nil {
		return err
	}
	if err := l.auth.sessions.Destroy(ctx); err != nil {
		return fmt.Errorf("destroy session: %w", err)
	}
	l.logger.InfoContext(ctx, "logout everywhere", "user", u.Name)
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

// SafeNext returns next if it is a path on this site, else "/". It keeps login redirects from
// sending people elsewhere ("//evil.example" and "/\evil.example" are other sites to browsers).
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	return next
}

// seeOther redirects after a successful form post (303, so the browser follows with GET).
func seeOther(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}
