package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/democheck"
	"fmn/internal/testkit/oidctest"
	"fmn/internal/testkit/rabbittest"
	"fmn/internal/testkit/testproc"
)

// fmnctl demo-check's login goes through devoidc's form, the web app's callback and its redirects
// into the app, and finds the user's name on the page it lands on; a wrong password is named as
// the provider's refusal.
func TestDemoCheckLogsInThroughTheProvider(t *testing.T) {
	t.Parallel()
	s := newStack(t, rabbittest.URL(t))
	op := s.startWebWithOIDC()
	alice := oidctest.Alice()
	cfg := democheck.Config{WebURL: s.webURL, OIDCIssuer: op.Issuer, OIDCUser: alice.Username,
		OIDCPassword: alice.Password, Timeout: 30 * time.Second}

	var out testproc.SyncBuffer
	require.NoError(t, democheck.Run(context.Background(), cfg, &out))
	require.Contains(t, out.String(), "alice logged in through the OpenID Provider")
	require.Contains(t, out.String(), "every channel delivered")

	cfg.OIDCPassword = "not-her-password"
	err := democheck.Run(context.Background(), cfg, &testproc.SyncBuffer{})
	require.ErrorContains(t, err, "login: at the provider")
}
