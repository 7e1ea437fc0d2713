package oidclogin

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"fmn/internal/config"
)

// CallbackPath is where the web app receives the provider's redirect; the redirect URL
// registered at the provider is the app's public URL plus this path.
const CallbackPath = "/auth/callback"

// Default claim names: those of the OIDC standard claims, and "groups" as Fedora's identity
// provider sends it.
const (
	DefaultUsernameClaim = "preferred_username"
	DefaultEmailClaim    = "email"
	DefaultNameClaim     = "name"
	DefaultGroupsClaim   = "groups"
)

// DefaultTimeout bounds each call to the provider (discovery, code exchange, keys, userinfo):
// a login waits for it, so a hung provider must not hold the request for long.
const DefaultTimeout = 10 * time.Second

// DefaultScopes returns the scopes asked for by default: the ID token, and the profile and email
// claims at the userinfo endpoint.
func DefaultScopes() []string { return []string{"openid", "profile", "email"} }

// Config is the OIDC login section. An empty Issuer disables OIDC login.
type Config struct {
	// Issuer is the provider's issuer URL, exactly as its discovery document states it
	// (FMN_OIDC_ISSUER; empty disables OIDC). It must be https, or http on a loopback host.
	Issuer string
	// ClientID is fmn's client ID at the provider (FMN_OIDC_CLIENT_ID, required with Issuer).
	ClientID string
	// ClientSecret is fmn's client secret (FMN_OIDC_CLIENT_SECRET or FMN_OIDC_CLIENT_SECRET_FILE;
	// empty for a public client, which PKCE still protects).
	ClientSecret config.Secret
	// RedirectURL is the callback URL registered at the provider, normally the web app's public
	// URL plus CallbackPath (FMN_OIDC_REDIRECT_URL, required with Issuer). It must be https, or
	// http on a loopback host.
	RedirectURL string
	// Scopes are asked for at login (FMN_OIDC_SCOPES, comma-separated, default DefaultScopes);
	// they must include openid.
	Scopes []string
	// UsernameClaim names the claim that becomes the fmn user name (FMN_OIDC_USERNAME_CLAIM,
	// default DefaultUsernameClaim).
	UsernameClaim string
	// EmailClaim names the email claim (FMN_OIDC_EMAIL_CLAIM, default DefaultEmailClaim).
	EmailClaim string
	// NameClaim names the display-name claim (FMN_OIDC_NAME_CLAIM, default DefaultNameClaim).
	NameClaim string
	// GroupsClaim names the group-list claim (FMN_OIDC_GROUPS_CLAIM, default
	// DefaultGroupsClaim); a missing claim means no groups.
	GroupsClaim string
	// UsernameUnique says that the provider's username claim names one account and nobody else
	// can present it: the provider is the account system itself. Then an fmn account that
	// exists before its first login (created by an administrator, or named in FMN_WEB_ADMINS)
	// is bound to the first subject that logs in with its name. Otherwise such an account is
	// bound only to a subject the operator has confirmed (fmnctl bind-subject, or "name=subject"
	// in FMN_WEB_ADMINS), because on most providers people choose their own preferred_username
	// (FMN_OIDC_USERNAME_UNIQUE, default false). Fedora's provider, Ipsilon in front of the
	// account system, may set it: the user name there is the account's unique, permanent name,
	// and Ipsilon derives the subject itself from it (the name, or a salted hash of it).
	UsernameUnique bool
}

// Enabled reports whether OIDC login is configured.
func (c Config) Enabled() bool { return c.Issuer != "" }

// withDefaults fills the unset optional fields.
func (c Config) withDefaults() Config {
	if len(c.Scopes) == 0 {
		c.Scopes = DefaultScopes()
	}
	if c.UsernameClaim == "" {
		c.UsernameClaim = DefaultUsernameClaim
	}
	if c.EmailClaim == "" {
		c.EmailClaim = DefaultEmailClaim
	}
	if c.NameClaim == "" {
		c.NameClaim = DefaultNameClaim
	}
	if c.GroupsClaim == "" {
		c.GroupsClaim = DefaultGroupsClaim
	}
	return c
}

// ReadConfig reads the OIDC section. With FMN_OIDC_ISSUER unset it returns a disabled Config
// and checks nothing else.
func ReadConfig(r *config.Reader) Config {
	c := Config{
		Issuer:         r.String("FMN_OIDC_ISSUER", ""),
		ClientID:       r.String("FMN_OIDC_CLIENT_ID", ""),
		ClientSecret:   r.Secret("FMN_OIDC_CLIENT_SECRET", ""),
		RedirectURL:    r.String("FMN_OIDC_REDIRECT_URL", ""),
		Scopes:         r.List("FMN_OIDC_SCOPES", DefaultScopes()),
		UsernameClaim:  r.String("FMN_OIDC_USERNAME_CLAIM", DefaultUsernameClaim),
		EmailClaim:     r.String("FMN_OIDC_EMAIL_CLAIM", DefaultEmailClaim),
		NameClaim:      r.String("FMN_OIDC_NAME_CLAIM", DefaultNameClaim),
		GroupsClaim:    r.String("FMN_OIDC_GROUPS_CLAIM", DefaultGroupsClaim),
		UsernameUnique: r.Bool("FMN_OIDC_USERNAME_UNIQUE", false),
	}
	if !c.Enabled() {
		return c
	}
	for _, p := range c.problems() {
		r.Fail(p.key, "%s", p.msg)
	}
	return c
}

// Validate reports what is wrong with an enabled Config (New calls it).
func (c Config) Validate() error {
	var errs []error
	for _, p := range c.withDefaults().problems() {
		errs = append(errs, fmt.Errorf("%s: %s", p.key, p.msg))
	}
	return errors.Join(errs...)
}

type problem struct{ key, msg string }

func (c Config) problems() []problem {
	var ps []problem
	if err := checkURL(c.Issuer); err != nil {
		ps = append(ps, problem{"FMN_OIDC_ISSUER", err.Error()})
	}
	if c.ClientID == "" {
		ps = append(ps, problem{"FMN_OIDC_CLIENT_ID", "required with FMN_OIDC_ISSUER"})
	}
	if c.RedirectURL == "" {
		ps = append(ps, problem{"FMN_OIDC_REDIRECT_URL", "required with FMN_OIDC_ISSUER (the web app's public URL + " + CallbackPath + ")"})
	} else if err := checkURL(c.RedirectURL); err != nil {
		ps = append(ps, problem{"FMN_OIDC_REDIRECT_URL", err.Error()})
	}
	if !slices.Contains(c.Scopes, "openid") {
		ps = append(ps, problem{"FMN_OIDC_SCOPES", "must include openid"})
	}
	return ps
}

// checkURL accepts an absolute https URL, or an http one on a loopback host (development).
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL without query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() {
			return nil
		}
		return fmt.Errorf("%q: plain http is allowed on a loopback host only", raw)
	default:
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
}
