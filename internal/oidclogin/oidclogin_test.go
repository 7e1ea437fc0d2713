package oidclogin_test

import (
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/oidclogin"
	"fmn/internal/testkit/oidctest"
)

// redirectURL is the client's callback; nothing listens there, the tests read the redirect.
const redirectURL = "http://127.0.0.1:1" + oidclogin.CallbackPath

type testBundle struct {
	op     *oidctest.Server
	client *oidclogin.Client
}

// setup starts a devoidc and a Client for it; mod may change the Client's config.
func setup(t *testing.T, mod func(*oidclogin.Config)) *testBundle {
	t.Helper()
	op := oidctest.Start(t, redirectURL)
	cfg := op.LoginConfig()
	if mod != nil {
		mod(&cfg)
	}
	c, err := oidclogin.New(t.Context(), cfg)
	require.NoError(t, err)
	return &testBundle{op: op, client: c}
}

// login runs Begin and the browser's part of the login as u, and returns the callback's query
// and the Pending to finish it with.
func (b *testBundle) login(t *testing.T, u oidctest.User) (url.Values, oidclogin.Pending) {
	t.Helper()
	authURL, p := b.client.Begin()
	cb, err := b.op.Login(t.Context(), newBrowser(t), authURL, u.Username, u.Password)
	require.NoError(t, err)
	require.Equal(t, redirectURL, cb.Scheme+"://"+cb.Host+cb.Path)
	return cb.Query(), p
}

func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for _, u := range []oidctest.User{oidctest.Alice(), oidctest.Bob()} {
		q, p := b.login(t, u)
		id, err := b.client.Finish(t.Context(), q, p)
		require.NoError(t, err)
		require.Equal(t, oidclogin.Identity{
			Subject: u.Subject, Username: u.Username, Email: u.Email, EmailVerified: true,
			Name: u.Name, Groups: u.Groups,
		}, id)
	}
}

func TestBeginIsRandomPerLogin(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	u1, p1 := b.client.Begin()
	u2, p2 := b.client.Begin()
	require.NotEqual(t, p1.State, p2.State)
	require.NotEqual(t, p1.Nonce, p2.Nonce)
	require.NotEqual(t, p1.Verifier, p2.Verifier)
	q, err := url.Parse(u1)
	require.NoError(t, err)
	// The verifier itself never leaves fmn: only its S256 challenge is sent.
	require.Equal(t, p1.State, q.Query().Get("state"))
	require.Equal(t, p1.Nonce, q.Query().Get("nonce"))
	require.Equal(t, "S256", q.Query().Get("code_challenge_method"))
	require.NotContains(t, u1, p1.Verifier)
	require.NotEqual(t, u1, u2)
}

func TestWrongPasswordStaysOnTheForm(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	authURL, _ := b.client.Begin()
	_, err := b.op.Login(t.Context(), newBrowser(t), authURL, "alice", "not-her-password")
	require.ErrorContains(t, err, "wrong credentials")
}

func TestFinishRefusesWrongState(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	q, p := b.login(t, oidctest.Alice())

	// Each case changes the callback or the pending login; none may log in.
	for name, tc := range map[string]struct {
		q url.Values
		p oidclogin.Pending
	}{
		"other state in the callback":   {q: with(q, "state", "forged"), p: p},
		"no state in the callback":      {q: with(q, "state", ""), p: p},
		"no pending login":              {q: q, p: oidclogin.Pending{}},
		"no pending login and no state": {q: with(q, "state", ""), p: oidclogin.Pending{}},
	} {
		_, err := b.client.Finish(t.Context(), tc.q, tc.p)
		require.ErrorIs(t, err, oidclogin.ErrState, name)
	}
	// The untouched callback still works: the refusals did not spend the code.
	_, err := b.client.Finish(t.Context(), q, p)
	require.NoError(t, err)
}

func TestFinishSurfacesProviderError(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	authURL, p := b.client.Begin()
	// prompt=none with no OP session: the OP must redirect back with login_required.
	u, err := url.Parse(authURL)
	require.NoError(t, err)
	u.RawQuery = with(u.Query(), "prompt", "none").Encode()
	cb, err := b.op.Login(t.Context(), newBrowser(t), u.String(), "alice", "alice-password")
	require.NoError(t, err)

	_, err = b.client.Finish(t.Context(), cb.Query(), p)
	var pe *oidclogin.ProviderError
	require.True(t, errors.As(err, &pe), "got %v", err)
	require.Equal(t, "login_required", pe.Code)

	// A forged error callback (wrong state) is refused as such, not shown as the OP's error.
	_, err = b.client.Finish(t.Context(), with(cb.Query(), "state", "forged"), p)
	require.ErrorIs(t, err, oidclogin.ErrState)
}

func TestFinishRefusesReplayedOrGarbledCode(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	q, p := b.login(t, oidctest.Alice())
	_, err := b.client.Finish(t.Context(), with(q, "code", q.Get("code")+"x"), p)
	require.ErrorContains(t, err, "invalid_grant")
	_, err = b.client.Finish(t.Context(), with(q, "code", ""), p)
	require.ErrorContains(t, err, "no code")

	_, err = b.client.Finish(t.Context(), q, p)
	require.NoError(t, err)
	_, err = b.client.Finish(t.Context(), q, p)
	require.ErrorContains(t, err, "invalid_grant", "a code works once")
}

func TestFinishRefusesNonceMismatch(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	q, p := b.login(t, oidctest.Alice())
	p.Nonce = "another-login"
	_, err := b.client.Finish(t.Context(), q, p)
	require.ErrorContains(t, err, "nonce")
}

func TestFinishRefusesWrongVerifier(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	q, p := b.login(t, oidctest.Alice())
	p.Verifier = "a-verifier-of-another-login-that-is-long-enough-for-pkce-rules"
	_, err := b.client.Finish(t.Context(), q, p)
	require.ErrorContains(t, err, "invalid code_verifier")
}

func TestFinishRefusesInvalidUsername(t *testing.T) {
	t.Parallel()
	// The email "alice@example.org" is not a valid fmn user name, and there is no fallback.
	b := setup(t, func(c *oidclogin.Config) { c.UsernameClaim = "email" })
	q, p := b.login(t, oidctest.Alice())
	_, err := b.client.Finish(t.Context(), q, p)
	require.ErrorIs(t, err, oidclogin.ErrUsername)

	b = setup(t, func(c *oidclogin.Config) { c.UsernameClaim = "nickname" })
	q, p = b.login(t, oidctest.Alice())
	_, err = b.client.Finish(t.Context(), q, p)
	require.ErrorIs(t, err, oidclogin.ErrUsername)
	require.ErrorContains(t, err, `"nickname" is missing`)
}

func TestNewRefusesAWrongClientSecretAtExchange(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	cfg := b.op.LoginConfig()
	cfg.ClientSecret = "s3cret-that-must-not-leak"
	c, err := oidclogin.New(t.Context(), cfg)
	require.NoError(t, err)
	authURL, p := c.Begin()
	cb, err := b.op.Login(t.Context(), newBrowser(t), authURL, "alice", "alice-password")
	require.NoError(t, err)
	_, err = c.Finish(t.Context(), cb.Query(), p)
	require.ErrorContains(t, err, "exchange oidc code")
	require.NotContains(t, err.Error(), "s3cret-that-must-not-leak")
}

// with returns a copy of q with key set to v.
func with(q url.Values, key, v string) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = append([]string(nil), vs...)
	}
	out.Set(key, v)
	return out
}
