package securitydoc_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/archive"
	"fmn/internal/backend"
	"fmn/internal/corpus"
	"fmn/internal/mutetoken"
	"fmn/internal/notify/sse"
	"fmn/internal/ssetoken"
	"fmn/internal/telemetry"
	"fmn/internal/web"
	"fmn/pkg/message"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// short writes a duration as SECURITY.md does: "1m", "168h", "10m".
func short(d time.Duration) string {
	s := d.String()
	s, _ = strings.CutSuffix(s, "m0s")
	if strings.HasSuffix(d.String(), "m0s") {
		s += "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// limits reads the value column of SECURITY.md's "Limits" table, by the limit column.
func limits(t *testing.T) map[string]string {
	t.Helper()
	root, err := corpus.RepoRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "SECURITY.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(b), "\n## Limits\n")
	require.True(t, ok, "SECURITY.md has a Limits section")
	section, _, _ = strings.Cut(section, "\n## ")
	out := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) < 3 || strings.HasPrefix(cells[0], " ---") || strings.TrimSpace(cells[0]) == "limit" {
			continue
		}
		out[strings.TrimSpace(cells[0])] = strings.TrimSpace(cells[1])
	}
	return out
}

func TestSecurityDocStatesTheLimitsOfTheCode(t *testing.T) {
	t.Parallel()
	cfg, err := web.LoadConfig(func(k string) (string, bool) {
		if k == "FMN_SSE_SECRET" {
			return "Zq3v9Kp2Lw8Xr5Ty7Uo1Ia4Sd6Fg0Hj2Kl", true
		}
		return "", false
	})
	require.NoError(t, err)
	srv := telemetry.NewServer(http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	q := prefs.DefaultQuotas()
	want := map[string]string{
		"filters per user": fmt.Sprint(q.FiltersPerUser),
		"condition values per user, over all their filters":                                                   fmt.Sprint(q.ValuesPerUser),
		"topic patterns starting with a wildcard per user":                                                    fmt.Sprint(q.LeadingWildcardsPerUser),
		"topic patterns starting with a wildcard with no fixed word or 3 fixed characters in a row, per user": fmt.Sprint(q.UnindexedPerUser),
		"regular expressions per user":                                                                        fmt.Sprint(q.RegexpsPerUser),
		"destinations per user (the live stream included)":                                                    fmt.Sprint(q.DestinationsPerUser),
		"API tokens per user":                                                                                 fmt.Sprint(q.TokensPerUser),
		"confirmations sent per user per hour":                                                                fmt.Sprint(q.ConfirmationsPerUser),
		"confirmations sent to one address per hour, whoever asks":                                            fmt.Sprint(q.ConfirmationsPerAddress),
		"confirmations per destination":                                                                       "1 a " + map[time.Duration]string{time.Minute: "minute"}[prefs.ConfirmationResendInterval],
		"requests per user, admin token or client address (API and pages alike; before login and on public routes per address)": fmt.Sprintf("%d per %s", cfg.APIRateLimit, short(cfg.APIRateWindow)),
		"previews per user":                                              fmt.Sprintf("%d a minute", cfg.Limits.PreviewRate),
		"wrong IRC confirmation codes":                                   fmt.Sprintf("%d, then the code is dead", prefs.MaxConfirmationAttempts),
		"email confirmation link / IRC code lifetime":                    fmt.Sprintf("%.0f h / %.0f h", prefs.EmailConfirmationTTL.Hours(), prefs.IRCConfirmationTTL.Hours()),
		"conditions per filter / values per condition / bytes per value": fmt.Sprintf("%d / %d / %d", rules.MaxConditions, rules.MaxValues, rules.MaxValueLen),
		"regular expression / body path":                                 fmt.Sprintf("%d bytes / %d bytes, %d steps", rules.MaxRegexLen, rules.MaxPathLen, rules.MaxPathDepth),
		"destinations per filter":                                        fmt.Sprint(rules.MaxDestinations),
		"request body":                                                   fmt.Sprintf("%d KiB", web.MaxBodyBytes>>10),
		"request headers / whole request / response": fmt.Sprintf("%.0f s / %.0f s / %.0f s (the stream sets its own deadline per write)",
			srv.ReadHeaderTimeout.Seconds(), srv.ReadTimeout.Seconds(), srv.WriteTimeout.Seconds()),
		"idle keep-alive connection":        fmt.Sprintf("%.0f s", srv.IdleTimeout.Seconds()),
		"open streams per user per backend": fmt.Sprint(sse.DefaultMaxConnsPerUser),
		"stream token lifetime":             fmt.Sprintf("%s (at most %s)", short(cfg.StreamTokenTTL), short(ssetoken.MaxTTL)),
		"login session":                     fmt.Sprintf("%s, %s idle", short(cfg.SessionLifetime), short(cfg.SessionIdle)),
		"mute link":                         fmt.Sprintf("%.0f days after its notification", mutetoken.DefaultTTL.Hours()/24),
		"message history page":              fmt.Sprintf("%d rows", archive.MaxRowsPerPage),
		"emails per destination before a burst becomes a digest": fmt.Sprintf("%d per %s", backend.DefaultFloodLimit, short(backend.DefaultFloodWindow)),
		"bus message": fmt.Sprintf("%d MiB", message.DefaultMaxBodyBytes>>20),
	}
	got := limits(t)
	for limit, value := range want {
		require.Contains(t, got, limit, "SECURITY.md lists the limit %q", limit)
		require.Equal(t, value, got[limit], "SECURITY.md's value of %q", limit)
	}
	for limit := range got {
		require.Contains(t, want, limit, "SECURITY.md lists %q: add it to this test with the code's value", limit)
	}
}
