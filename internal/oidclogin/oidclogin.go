// Package oidclogin is the relying-party side of OpenID Connect login: the authorization-code
// flow with PKCE, against any provider that publishes a discovery document.
//
// It keeps no state of its own. The web app calls Begin, keeps the returned Pending in the
// user's session and redirects to the returned URL; on the callback it calls Finish with the
// callback's query and that Pending, and gets the provider-verified Identity. Each Pending is
// good for one Finish: drop it from the session before calling Finish.
package oidclogin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// ErrState means the callback does not belong to the pending login: its state differs, or
// there is no pending login (an empty Pending). Show the user a "start again" page.
var ErrState = errors.New("oidc callback state does not match the pending login")

// ErrUsername means the provider gave no claim that is a valid fmn user name.
var ErrUsername = errors.New("oidc provider gave no valid fmn user name")

// ProviderError is the error the provider redirected back with (e.g. access_denied when the
// user cancelled). Description is the provider's text and is not escaped.
type ProviderError struct {
	Code        string // the "error" parameter
	Description string // the "error_description" parameter, may be empty
}

func (e *ProviderError) Error() string {
	if e.Description == "" {
		return "oidc provider refused the login: " + e.Code
	}
	return fmt.Sprintf("oidc provider refused the login: %s: %s", e.Code, e.Description)
}

// usernameRE is the users.name CHECK of migrations/00001_foundation.sql.
var usernameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

// ValidUsername reports whether s is a valid fmn user name (the users.name CHECK).
func ValidUsername(s string) bool { return usernameRE.MatchString(s) }

// Identity is who the provider says logged in.
type Identity struct {
	// Subject is the provider's stable, unique ID of the user ("sub").
	Subject string
	// Username is the fmn user name: the UsernameClaim, checked with ValidUsername.
	Username string
	// Email is the EmailClaim, empty when missing; EmailVerified is the email_verified claim.
	Email         string
	EmailVerified bool
	// Name is the display name (NameClaim), empty when missing.
	Name string
	// Groups is the GroupsClaim (a list of strings, or one string), nil when missing.
	Groups []string
}

// Pending is what a login in progress must remember between Begin and Finish; keep it
// server-side (in the session), never in a URL. All three are random per login. To keep it in an
// scs session (gob-encoded), gob.Register(oidclogin.Pending{}) once, or store the three strings.
type Pending struct {
	State    string // sent to the provider and checked on the callback (CSRF)
	Nonce    string // bound into the ID token (replay)
	Verifier string // the PKCE code verifier (code interception)
}

// Client runs logins against one provider. It is safe for concurrent use.
type Client struct {
	cfg      Config
	http     *http.Client
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// New discovers the provider at cfg.Issuer (bounded by ctx and DefaultTimeout) and returns a
// Client. cfg must be enabled; unset optional fields take their defaults.
func New(ctx context.Context, cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("oidc config: %w", err)
	}
	c := &Client{cfg: cfg, http: &http.Client{Timeout: DefaultTimeout}}
	ctx, cancel := context.WithTimeout(c.clientContext(ctx), DefaultTimeout)
	defer cancel()
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover oidc provider %s: %w", cfg.Issuer, err)
	}
	c.provider = p
	c.verifier = p.Verifier(&oidc.Config{ClientID: cfg.ClientID})
	c.oauth = oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret.Value(),
		Endpoint:     p.Endpoint(),
		RedirectURL:  cfg.RedirectURL,
		Scopes:       cfg.Scopes,
	}
	return c, nil
}

// clientContext makes go-oidc and oauth2 use c's HTTP client.
func (c *Client) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, c.http)
}

// Begin starts a login: it returns the provider URL to redirect the browser to, and the
// Pending to keep in the session until the callback.
func (c *Client) Begin() (authURL string, p Pending) {
	p = Pending{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier()}
	return c.oauth.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), p
}

// Finish completes the login from the callback's query parameters: it checks state, surfaces
// the provider's error (*ProviderError), exchanges the code with the PKCE verifier, verifies the
// ID token (signature, issuer, audience, expiry, nonce), reads the userinfo endpoint, and returns
// the identity. Errors are ErrState, *ProviderError, ErrUsername (wrapped), or a failure of the
// exchange or verification; none contains a secret.
//
// The state is checked before the error parameter, so that a forged callback cannot make fmn
// show a provider error it never sent.
func (c *Client) Finish(ctx context.Context, query url.Values, p Pending) (Identity, error) {
	state := query.Get("state")
	if p.State == "" || p.Nonce == "" || p.Verifier == "" || subtle.ConstantTimeCompare([]byte(state), []byte(p.State)) != 1 {
		return Identity{}, ErrState
	}
	if code := query.Get("error"); code != "" {
		return Identity{}, &ProviderError{Code: code, Description: query.Get("error_description")}
	}
	code := query.Get("code")
	if code == "" {
		return Identity{}, errors.New("oidc callback has no code")
	}

	ctx, cancel := context.WithTimeout(c.clientContext(ctx), DefaultTimeout)
	defer cancel()
	tok, err := c.oauth.Exchange(ctx, code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("exchange oidc code: %w", exchangeError(err))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, errors.New("oidc token response has no id_token")
	}
	idt, err := c.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("verify oidc id token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(p.Nonce)) != 1 {
		return Identity{}, errors.New("verify oidc id token: nonce does not match the pending login")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Identity{}, fmt.Errorf("verify oidc access token: %w", err)
		}
	}

	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("read oidc id token claims: %w", err)
	}
	if c.provider.UserInfoEndpoint() != "" {
		ui, err := c.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, fmt.Errorf("read oidc userinfo: %w", err)
		}
		// OIDC Core 5.3.2: the userinfo sub must match the ID token's, or the answer is not
		// about this user.
		if ui.Subject != idt.Subject {
			return Identity{}, errors.New("oidc userinfo subject differs from the id token's")
		}
		extra := map[string]any{}
		if err := ui.Claims(&extra); err != nil {
			return Identity{}, fmt.Errorf("read oidc userinfo claims: %w", err)
		}
		for k, v := range extra { // userinfo completes and overrides the ID token's claims
			claims[k] = v
		}
	}
	return c.identity(idt.Subject, claims)
}

// identity maps the claims to an Identity.
func (c *Client) identity(subject string, claims map[string]any) (Identity, error) {
	id := Identity{
		Subject:  subject,
		Username: stringClaim(claims, c.cfg.UsernameClaim),
		Email:    stringClaim(claims, c.cfg.EmailClaim),
		Name:     stringClaim(claims, c.cfg.NameClaim),
		Groups:   listClaim(claims, c.cfg.GroupsClaim),
	}
	id.EmailVerified, _ = claims["email_verified"].(bool)
	// No fallback to the email's local part: alice@a.example and alice@b.example would become
	// the same fmn user. A provider without a suitable claim needs FMN_OIDC_USERNAME_CLAIM.
	if id.Username == "" {
		return Identity{}, fmt.Errorf("%w: claim %q is missing", ErrUsername, c.cfg.UsernameClaim)
	}
	if !ValidUsername(id.Username) {
		return Identity{}, fmt.Errorf("%w: claim %q is %q, which does not match %s", ErrUsername, c.cfg.UsernameClaim, id.Username, usernameRE)
	}
	return id, nil
}

func stringClaim(claims map[string]any, name string) string {
	s, _ := claims[name].(string)
	return s
}

func listClaim(claims map[string]any, name string) []string {
	switch v := claims[name].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// exchangeError keeps the provider's error code and description of a refused exchange and
// drops the rest (the raw response body).
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		if re.ErrorDescription != "" {
			return fmt.Errorf("%s: %s", re.ErrorCode, re.ErrorDescription)
		}
		return errors.New(re.ErrorCode)
	}
	return err
}
