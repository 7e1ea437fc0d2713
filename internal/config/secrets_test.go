package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each secret rule refuses what it should, names the variable, says how to make a proper secret,
// and never quotes the secret.
func TestCheckSecrets(t *testing.T) {
	t.Parallel()
	const (
		good  = "Zk3q9Vb1mR7tXw2Lp8Hs4Nc6Jd0Yf5Ga" // 32 bytes of nothing in particular
		other = "b8Qw2Er5Ty7Ui9Op1As3Df6Gh4Jk0LzX"
	)
	for _, tt := range []struct {
		name    string
		specs   []SecretSpec
		wantErr []string // each must be in the error; none: no error
	}{
		{
			// A proper secret of each kind passes, issued ones whatever their length.
			name: "valid",
			specs: []SecretSpec{
				{Key: "A", Value: good, Required: true},
				{Key: "B", Value: other},
				{Key: "C", Value: "provider-issued", Issued: true},
			},
		},
		{
			// An optional secret may be unset; a required one may not.
			name: "unset",
			specs: []SecretSpec{
				{Key: "OPTIONAL"},
				{Key: "REQUIRED", Required: true, Why: "shared with the backends"},
			},
			wantErr: []string{"REQUIRED: must be set (shared with the backends); generate one with: openssl rand -base64 48"},
		},
		{
			// docker-compose.yml's old default, long enough but a placeholder.
			name:    "compose default",
			specs:   []SecretSpec{{Key: "FMN_SSE_SECRET", Value: "change-me-to-32-or-more-random-bytes!!"}},
			wantErr: []string{`FMN_SSE_SECRET: is a placeholder (contains "change-me"); generate one with: openssl rand -base64 48`},
		},
		{
			// Placeholders are found in any case and anywhere in the value.
			name: "placeholder parts",
			specs: []SecretSpec{
				{Key: "A", Value: "ChangeMe-ChangeMe-ChangeMe-ChangeMe"},
				{Key: "B", Value: "this-is-an-EXAMPLE-value-of-32-bytes"},
				{Key: "C", Value: "<placeholder for the real one, long enough>"},
				{Key: "D", Value: "Password1234567890Password1234567890"},
				{Key: "E", Value: "sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
				{Key: "F", Value: "replace_me_with_something_random_please"},
			},
			wantErr: []string{
				`A: is a placeholder (contains "changeme")`, `B: is a placeholder (contains "example")`,
				`C: is a placeholder (contains "placeholder")`, `D: is a placeholder (contains "password")`,
				`E: is a placeholder (contains "xxxxxxxx")`, `F: is a placeholder (contains "replace_me")`,
			},
		},
		{
			// Whole-value placeholders, even quoted or bracketed.
			name:    "placeholder words",
			specs:   []SecretSpec{{Key: "A", Value: "secret"}, {Key: "B", Value: "<SECRET>"}, {Key: "C", Value: `"token"`}},
			wantErr: []string{`A: is a placeholder ("secret")`, `B: is a placeholder ("secret")`, `C: is a placeholder ("token")`},
		},
		{
			// One character repeated, however long, in either case.
			name:    "repeated character",
			specs:   []SecretSpec{{Key: "A", Value: Secret(strings.Repeat("a", 64))}, {Key: "B", Value: "aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA"}},
			wantErr: []string{"A: is a placeholder (one character repeated)", "B: is a placeholder (one character repeated)"},
		},
		{
			// Shorter than 32 bytes.
			name:    "short",
			specs:   []SecretSpec{{Key: "FMN_MUTE_SECRET", Value: "Zk3q9Vb1mR7tXw2Lp8Hs4Nc6Jd0Yf5G"}},
			wantErr: []string{"FMN_MUTE_SECRET: is 31 bytes, shorter than the 32 required; generate one with"},
		},
		{
			// The same value for two purposes: the second is named, with the first.
			name:    "duplicate across purposes",
			specs:   []SecretSpec{{Key: "FMN_SSE_SECRET", Value: good}, {Key: "FMN_MUTE_SECRET", Value: good}},
			wantErr: []string{"FMN_MUTE_SECRET: is the same as FMN_SSE_SECRET; each purpose needs a secret of its own"},
		},
		{
			// An issued secret also may not be another purpose's.
			name:    "issued duplicate",
			specs:   []SecretSpec{{Key: "FMN_WEB_ADMIN_TOKEN", Value: good}, {Key: "FMN_OIDC_CLIENT_SECRET", Value: good, Issued: true}},
			wantErr: []string{"FMN_OIDC_CLIENT_SECRET: is the same as FMN_WEB_ADMIN_TOKEN"},
		},
		{
			// An issued secret is refused only when it is wholly a placeholder.
			name: "issued placeholder",
			specs: []SecretSpec{
				{Key: "A", Value: "change-me", Issued: true},
				{Key: "B", Value: "Client-Secret", Issued: true},
				{Key: "C", Value: "zzzzzzzz", Issued: true},
				{Key: "D", Value: "an-example-from-the-provider", Issued: true}, // not wholly one: passes
			},
			wantErr: []string{`A: is a placeholder ("change-me")`, `B: is a placeholder ("client-secret")`, "C: is a placeholder (one character repeated)"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := NewReader(lookup(nil))
			r.CheckSecrets(tt.specs...)
			err := r.Err()
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			require.Len(t, strings.Split(err.Error(), "\n"), len(tt.wantErr), "one error per refused secret: %v", err)
			for _, want := range tt.wantErr {
				require.ErrorContains(t, err, want)
			}
			for _, s := range tt.specs {
				if v := s.Value.Value(); len(v) > len("change-me") {
					require.NotContains(t, err.Error(), v, "the secret is never quoted")
				}
			}
		})
	}
}
