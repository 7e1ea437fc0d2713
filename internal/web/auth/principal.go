// Package auth is who is asking and whether they may: the principal of a request (a session
// user, an API token's user, or the operator's admin token), the route wrappers that
// authenticate, authorise and rate-limit every route (Guard), the login sessions and their
// revocation (logging out everywhere), and the login routes (development login, OpenID Connect,
// logout).
package auth

import (
	"context"

	"fmn/pkg/prefs"
)

// Principal is who a request acts as: a user (by session or API token), or the operator's admin
// token, which is no user.
type Principal struct {
	User  prefs.User
	Admin bool
	// Token is true when an API token or the admin token authenticated the request (no session).
	Token bool
}

// IsUser reports whether the principal is a user (not the bare admin token).
func (p Principal) IsUser() bool { return p.User.ID != 0 }

// rateKey names the principal's API rate count: the user (whatever logged them in), or the
// operator's admin token.
func (p Principal) rateKey() string {
	if p.IsUser() {
		return "user:" + p.User.Name
	}
	return "admin-token"
}

// MayActFor reports whether the principal may read and change name's preferences: their own, or
// anyone's for administrators.
func (p Principal) MayActFor(name string) bool {
	return p.Admin || (p.IsUser() && p.User.Name == name)
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal the route wrappers stored in ctx (the zero Principal when
// none did).
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}
