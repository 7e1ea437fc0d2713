package oidclogin_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/config"
	"fmn/internal/oidclogin"
)

func TestReadConfig(t *testing.T) {
	t.Parallel()
	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("from-file\n"), 0o600))
	valid := map[string]string{
		"FMN_OIDC_ISSUER":       "https://id.example.org/openidc/",
		"FMN_OIDC_CLIENT_ID":    "fmn",
		"FMN_OIDC_REDIRECT_URL": "https://fmn.example.org/auth/callback",
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    oidclogin.Config
		wantErr []string // each must appear in the error
	}{{
		// No issuer: disabled, whatever else is set.
		name: "disabled",
		env:  map[string]string{"FMN_OIDC_CLIENT_ID": "fmn", "FMN_OIDC_SCOPES": "profile"},
		want: oidclogin.Config{ClientID: "fmn", Scopes: []string{"profile"}, UsernameClaim: "preferred_username",
			EmailClaim: "email", NameClaim: "name", GroupsClaim: "groups"},
	}, {
		// The required variables only: the defaults fill the rest.
		name: "defaults",
		env:  valid,
		want: oidclogin.Config{Issuer: "https://id.example.org/openidc/", ClientID: "fmn",
			RedirectURL: "https://fmn.example.org/auth/callback", Scopes: []string{"openid", "profile", "email"},
			UsernameClaim: "preferred_username", EmailClaim: "email", NameClaim: "name", GroupsClaim: "groups"},
	}, {
		// Everything set, the secret from a file.
		name: "all",
		env: merge(valid, map[string]string{
			"FMN_OIDC_CLIENT_SECRET_FILE": secretFile, "FMN_OIDC_SCOPES": "openid, profile,email,groups",
			"FMN_OIDC_USERNAME_CLAIM": "nickname", "FMN_OIDC_EMAIL_CLAIM": "mail",
			"FMN_OIDC_NAME_CLAIM": "cn", "FMN_OIDC_GROUPS_CLAIM": "memberOf",
		}),
		want: oidclogin.Config{Issuer: "https://id.example.org/openidc/", ClientID: "fmn", ClientSecret: "from-file",
			RedirectURL: "https://fmn.example.org/auth/callback", Scopes: []string{"openid", "profile", "email", "groups"},
			UsernameClaim: "nickname", EmailClaim: "mail", NameClaim: "cn", GroupsClaim: "memberOf"},
	}, {
		// Plain http is for a loopback development provider only.
		name: "http loopback",
		env: map[string]string{"FMN_OIDC_ISSUER": "http://127.0.0.1:9998", "FMN_OIDC_CLIENT_ID": "fmn",
			"FMN_OIDC_REDIRECT_URL": "http://localhost:8080/auth/callback"},
		want: oidclogin.Config{Issuer: "http://127.0.0.1:9998", ClientID: "fmn",
			RedirectURL: "http://localhost:8080/auth/callback", Scopes: []string{"openid", "profile", "email"},
			UsernameClaim: "preferred_username", EmailClaim: "email", NameClaim: "name", GroupsClaim: "groups"},
	}, {
		// An issuer without the rest: every missing variable is named.
		name:    "missing",
		env:     map[string]string{"FMN_OIDC_ISSUER": "https://id.example.org"},
		wantErr: []string{"FMN_OIDC_CLIENT_ID", "FMN_OIDC_REDIRECT_URL"},
	}, {
		// Plain http to a remote host would send codes and tokens in clear.
		name:    "http remote",
		env:     merge(valid, map[string]string{"FMN_OIDC_ISSUER": "http://id.example.org", "FMN_OIDC_REDIRECT_URL": "http://fmn.example.org/auth/callback"}),
		wantErr: []string{"FMN_OIDC_ISSUER", "FMN_OIDC_REDIRECT_URL", "loopback"},
	}, {
		// Not a URL, and no openid scope.
		name:    "garbage",
		env:     merge(valid, map[string]string{"FMN_OIDC_ISSUER": "id.example.org", "FMN_OIDC_SCOPES": "profile"}),
		wantErr: []string{"FMN_OIDC_ISSUER", "FMN_OIDC_SCOPES: must include openid"},
	}, {
		// An unreadable secret file.
		name:    "secret file",
		env:     merge(valid, map[string]string{"FMN_OIDC_CLIENT_SECRET_FILE": filepath.Join(t.TempDir(), "nope")}),
		wantErr: []string{"FMN_OIDC_CLIENT_SECRET_FILE"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := config.NewReader(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			got := oidclogin.ReadConfig(r)
			if len(tc.wantErr) > 0 {
				require.Error(t, r.Err())
				for _, s := range tc.wantErr {
					require.ErrorContains(t, r.Err(), s)
				}
				return
			}
			require.NoError(t, r.Err())
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.want.Issuer != "", got.Enabled())
		})
	}
}

func TestSecretDoesNotPrint(t *testing.T) {
	t.Parallel()
	r := config.NewReader(func(k string) (string, bool) {
		v, ok := map[string]string{"FMN_OIDC_ISSUER": "https://id.example.org", "FMN_OIDC_CLIENT_ID": "fmn",
			"FMN_OIDC_REDIRECT_URL": "https://fmn.example.org/auth/callback", "FMN_OIDC_CLIENT_SECRET": "hunter2"}[k]
		return v, ok
	})
	c := oidclogin.ReadConfig(r)
	require.NoError(t, r.Err())
	require.Equal(t, "hunter2", c.ClientSecret.Value())
	require.NotContains(t, fmtAll(c), "hunter2")
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := oidclogin.New(t.Context(), oidclogin.Config{Issuer: "http://id.example.org", ClientID: "fmn", RedirectURL: "https://x.example/cb"})
	require.ErrorContains(t, err, "FMN_OIDC_ISSUER")
}

func TestValidUsername(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"alice": true, "a.b-c_d": true, "_x": true, "0": true, "": false,
		".alice": false, "-alice": false, "alice@example.org": false, "al ice": false, "ålice": false,
		"a" + strings.Repeat("b", 63): true, "a" + strings.Repeat("b", 64): false,
	} {
		require.Equal(t, ok, oidclogin.ValidUsername(name), name)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func fmtAll(c oidclogin.Config) string {
	b, _ := json.Marshal(c)
	return fmt.Sprintf("%v %+v %s", c, c, b)
}
