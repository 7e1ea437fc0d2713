package e2e

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/oidclogin"
	"fmn/internal/testkit/oidctest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/web"
	"fmn/pkg/prefs/pgstore"
)

// startWebWithUsers runs a web app logging in through a devoidc serving users; opts change the
// web app's configuration after the provider's login settings are in.
func (s *stack) startWebWithUsers(users []oidctest.User, opts ...func(*web.Config)) *oidctest.Server {
	s.t.Helper()
	s.pickWebAddr()
	op := oidctest.StartWithUsers(s.t, users, "http://"+s.webAddr+oidclogin.CallbackPath)
	s.startWeb(append([]func(*web.Config){func(c *web.Config) { c.OIDC, c.DevLogin = op.LoginConfig(), false }}, opts...)...)
	return op
}

// oidcLogin logs u in through the provider in a new browser and returns the web app's answer to
// the provider's callback, and the browser.
func (s *stack) oidcLogin(op *oidctest.Server, u oidctest.User) (int, string, *browser) {
	s.t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(s.t, err)
	b := &browser{t: s.t, base: s.webURL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	req, err := http.NewRequest("GET", s.webURL+"/login/oidc", nil)
	require.NoError(s.t, err)
	resp, err := b.c.Do(req)
	require.NoError(s.t, err)
	resp.Body.Close()
	require.Equal(s.t, http.StatusFound, resp.StatusCode)
	cb, err := op.Login(context.Background(), b.c, resp.Header.Get("Location"), u.Username, u.Password)
	require.NoError(s.t, err)
	status, body := b.get(cb.RequestURI())
	return status, body, b
}

// me returns the logged-in user as the API shows it.
func me(t *testing.T, b *browser) map[string]any {
	t.Helper()
	status, body := b.api("GET", "/api/v1/me", "")
	require.Equal(t, http.StatusOK, status, body)
	var out map[string]any
	require.NoError(t, jsonUnmarshal(body, &out))
	return out
}

// Where the provider does not guarantee user names (the default), an account that exists before
// its first login is not handed to the first subject presenting its name: the login is refused
// until the operator binds it, and then works; a plain name in FMN_WEB_ADMINS makes no
// administrator, one pinned to its subject does, and reserves the name for that subject. An email
// address the provider has not verified is not kept.
func TestAccountsBindOnlyToConfirmedSubjects(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	carol := oidctest.User{Subject: "id-carol", Username: "carol", Password: "carol-password", Email: "carol@example.org", Name: "Carol C"}
	dave := oidctest.User{Subject: "id-dave", Username: "dave", Password: "dave-password", Email: "dave@example.org",
		EmailUnverified: true, Name: "Dave D"}
	erin := oidctest.User{Subject: "id-erin", Username: "erin", Password: "erin-password", Email: "erin@example.org", Name: "Erin E"}
	// mallory presents the user name "root", pinned to another subject.
	mallory := oidctest.User{Subject: "id-mallory", Username: "root", Password: "mallory-password", Name: "Mal Lory"}
	op := s.startWebWithUsers([]oidctest.User{carol, dave, erin, mallory}, func(c *web.Config) {
		c.Admins = []string{"dave", "erin=id-erin", "root=id-root"}
	})

	// carol's account was made by an administrator before she ever logged in.
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": "carol"}, nil))
	status, body, _ := s.oidcLogin(op, carol)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, body, "set up before its first login")
	require.NoError(t, pgstore.New(s.pool).SetSubject(t.Context(), "carol", carol.Subject), "the operator binds it")
	status, body, b := s.oidcLogin(op, carol)
	require.Equal(t, http.StatusSeeOther, status, body)
	require.Equal(t, "carol", me(t, b)["name"])

	// dave is listed by name only: he logs in, but is no administrator; his unverified address
	// is not kept.
	status, body, b = s.oidcLogin(op, dave)
	require.Equal(t, http.StatusSeeOther, status, body)
	d := me(t, b)
	require.Equal(t, false, d["is_admin"])
	require.NotContains(t, d, "email")

	// erin is pinned to her subject: administrator.
	status, body, b = s.oidcLogin(op, erin)
	require.Equal(t, http.StatusSeeOther, status, body)
	require.Equal(t, true, me(t, b)["is_admin"])
	require.Equal(t, "erin@example.org", me(t, b)["email"])

	// "root" is reserved for id-root: mallory's login with that name is refused and makes no account.
	status, _, _ = s.oidcLogin(op, mallory)
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, http.StatusNotFound, s.api("GET", "/api/v1/users/root", nil, nil))
}

// Where the provider guarantees user names (FMN_OIDC_USERNAME_UNIQUE, as Fedora's does), an
// account made before its first login binds to the first login with its name, and a plain name
// in FMN_WEB_ADMINS makes an administrator.
func TestAccountsBindByUniqueUsername(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	carol := oidctest.User{Subject: "id-carol", Username: "carol", Password: "carol-password", Email: "carol@example.org", Name: "Carol C"}
	op := s.startWebWithUsers([]oidctest.User{carol}, func(c *web.Config) {
		c.OIDC.UsernameUnique, c.Admins = true, []string{"carol"}
	})
	require.Equal(t, http.StatusCreated, s.api("POST", "/api/v1/users", map[string]string{"name": "carol"}, nil))
	status, body, b := s.oidcLogin(op, carol)
	require.Equal(t, http.StatusSeeOther, status, body)
	require.Equal(t, true, me(t, b)["is_admin"])
}
