package backend_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/backend"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestLoadConfigEmail(t *testing.T) {
	t.Parallel()
	base := map[string]string{"FMN_SSE_SECRET": sseSecret}

	// Without FMN_SMTP_ADDR email is off and nothing else about it is required.
	c, err := backend.LoadConfig(lookup(base))
	require.NoError(t, err)
	require.False(t, c.Email.Enabled())

	// With it, sender, public URL and mute secret are required, each named.
	env := map[string]string{"FMN_SSE_SECRET": sseSecret, "FMN_SMTP_ADDR": "smtp.example.org:587"}
	_, err = backend.LoadConfig(lookup(env))
	require.ErrorContains(t, err, "FMN_MAIL_FROM")
	require.ErrorContains(t, err, "FMN_PUBLIC_URL")
	require.ErrorContains(t, err, "FMN_MUTE_SECRET")

	pw := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pw, []byte("hunter2\n"), 0o600))
	for k, v := range map[string]string{
		"FMN_MAIL_FROM": "fmn <fmn@example.org>", "FMN_PUBLIC_URL": "https://fmn.example.org",
		"FMN_MUTE_SECRET": muteSecret, "FMN_SMTP_USERNAME": "fmn", "FMN_SMTP_PASSWORD_FILE": pw,
		"FMN_EMAIL_RETRY_DELAYS": "1s, 2m",
	} {
		env[k] = v
	}
	c, err = backend.LoadConfig(lookup(env))
	require.NoError(t, err)
	require.True(t, c.Email.Enabled())
	require.Equal(t, "starttls", c.Email.SMTPTLS, "STARTTLS unless told otherwise")
	require.Equal(t, "hunter2", c.Email.SMTPPassword.Value())
	require.Equal(t, "<redacted>", c.Email.SMTPPassword.String())
	require.Equal(t, []time.Duration{time.Second, 2 * time.Minute}, c.Email.RetryDelays)

	env["FMN_SMTP_TLS"] = "sometimes"
	env["FMN_EMAIL_RETRY_DELAYS"] = "soon"
	_, err = backend.LoadConfig(lookup(env))
	require.ErrorContains(t, err, "FMN_SMTP_TLS")
	require.ErrorContains(t, err, "FMN_EMAIL_RETRY_DELAYS")
}

func TestLoadConfigIRC(t *testing.T) {
	t.Parallel()
	// Without FMN_IRC_SERVER IRC is off and nothing else about it is required.
	c, err := backend.LoadConfig(lookup(map[string]string{"FMN_SSE_SECRET": sseSecret, "FMN_IRC_NICK": "not a nick"}))
	require.NoError(t, err)
	require.False(t, c.IRC.Enabled())

	pw := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pw, []byte("s3cret\n"), 0o600))
	env := map[string]string{
		"FMN_SSE_SECRET": sseSecret, "FMN_IRC_SERVER": "irc.libera.chat:6697", "FMN_IRC_SASL_USER": "fmn",
		"FMN_IRC_SASL_PASSWORD_FILE": pw, "FMN_IRC_RETRY_DELAYS": "30s,10m",
	}
	c, err = backend.LoadConfig(lookup(env))
	require.NoError(t, err)
	require.True(t, c.IRC.Enabled())
	require.True(t, c.IRC.TLS, "TLS unless told otherwise")
	require.Equal(t, "fmn", c.IRC.Nick)
	require.Equal(t, "s3cret", c.IRC.SASLPassword.Value())
	require.Equal(t, "<redacted>", c.IRC.SASLPassword.String())
	require.Equal(t, time.Second, c.IRC.LineInterval)
	require.Equal(t, 4, c.IRC.Burst)
	require.Equal(t, []time.Duration{30 * time.Second, 10 * time.Minute}, c.IRC.RetryDelays)

	// Bad values are named.
	env["FMN_IRC_NICK"] = "#chan"
	env["FMN_IRC_BURST"] = "0"
	env["FMN_IRC_RETRY_DELAYS"] = "soon"
	delete(env, "FMN_IRC_SASL_PASSWORD_FILE")
	_, err = backend.LoadConfig(lookup(env))
	require.ErrorContains(t, err, "FMN_IRC_NICK")
	require.ErrorContains(t, err, "FMN_IRC_BURST")
	require.ErrorContains(t, err, "FMN_IRC_RETRY_DELAYS")
	require.ErrorContains(t, err, "FMN_IRC_SASL_PASSWORD")
}

// The backend refuses to start on a placeholder, short or shared secret, naming the variable,
// and starts on proper ones.
func TestLoadConfigRefusesWeakSecrets(t *testing.T) {
	t.Parallel()
	c, err := backend.LoadConfig(lookup(map[string]string{"FMN_SSE_SECRET": sseSecret, "FMN_MUTE_SECRET": muteSecret}))
	require.NoError(t, err)
	require.Equal(t, sseSecret, c.SSESecret.Value())

	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		// docker-compose.yml's old default.
		{"placeholder", map[string]string{"FMN_SSE_SECRET": "change-me-to-32-or-more-random-bytes!!"}, `FMN_SSE_SECRET: is a placeholder (contains "change-me")`},
		{"short", map[string]string{"FMN_SSE_SECRET": "0123456789abcdef"}, "FMN_SSE_SECRET: is 16 bytes, shorter than the 32 required"},
		// An optional mute secret, once set, must be a proper one too.
		{"short mute", map[string]string{"FMN_SSE_SECRET": sseSecret, "FMN_MUTE_SECRET": "abc"}, "FMN_MUTE_SECRET: is 3 bytes"},
		{"shared", map[string]string{"FMN_SSE_SECRET": sseSecret, "FMN_MUTE_SECRET": sseSecret}, "FMN_MUTE_SECRET: is the same as FMN_SSE_SECRET"},
		{"unset", nil, "FMN_SSE_SECRET: must be set (shared with the web app); generate one with: openssl rand -base64 48"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := backend.LoadConfig(lookup(tt.env))
			require.ErrorContains(t, err, tt.want)
		})
	}
}
