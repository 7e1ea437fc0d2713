package notify_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/internal/mutetoken"
	"fmn/internal/notify/email"
	"fmn/internal/notify/irc"
	"fmn/internal/notify/sse"
	"fmn/internal/wire"
	"fmn/pkg/message"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenFamilies are the ten largest families of the corpus: each golden file shows one of
// their messages as every channel renders it.
var goldenFamilies = []string{"bodhi", "compose", "ci", "pagure", "github", "pkgdb", "git", "anitya", "fedocal", "buildsys"}

// testAliases are the corpus's account look-ups (pkg/message's corpus test has the same).
var testAliases = message.MapAliases{
	"threebean": "ralph", "rbean@redhat.com": "ralph", "puiterwijk@gmail.com": "puiterwijk", "nicolas.mailhot@laposte.net": "nim",
}

// representative picks a family's message to show: the one with the longest long form (the
// first of those in the corpus), so the golden file shows what the email can carry.
func representative(t *testing.T, records []corpus.Record, family string) message.Message {
	t.Helper()
	var best message.Message
	found := false
	for i := range records {
		r := &records[i]
		if r.Family != family {
			continue
		}
		m, err := message.DecodeAMQP(r.AMQP(), message.DefaultMaxBodyBytes)
		require.NoError(t, err, r.ID)
		message.Extract(&m, testAliases)
		if !found || len(m.Details) > len(best.Details) {
			best, found = m, true
		}
	}
	require.True(t, found, "the corpus has %s messages", family)
	return best
}

// The same message of each of the ten largest families as alice would get it by email (its
// subject, text and HTML parts), as an IRC line and as an SSE event, compared with
// testdata/golden/<family>.golden (go test -update rewrites them).
func TestEveryChannelRendersTheLargestFamilies(t *testing.T) {
	t.Parallel()
	records, err := corpus.LoadDefault()
	require.NoError(t, err)
	mute, err := mutetoken.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	renderer := email.NewRenderer(email.RenderConfig{PublicURL: "https://fmn.example.org", MessageIDDomain: "fmn.example.org", Mute: mute})
	for _, family := range goldenFamilies {
		t.Run(family, func(t *testing.T) {
			t.Parallel()
			m := representative(t, records, family)
			matched := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
			filters := []wire.FilterRef{{ID: 3, Name: "My packages"}}
			mail := wire.NotificationFor(&m, "alice", wire.Destination{ID: 7, Kind: "email", Address: "alice@example.org", Format: "short"}, filters, matched)
			line := wire.NotificationFor(&m, "alice", wire.Destination{ID: 8, Kind: "irc", Address: "alice", Format: "short"}, filters, matched)
			stream := wire.NotificationFor(&m, "alice", wire.Destination{ID: 9, Kind: "sse", Address: "alice"}, filters, matched)

			msg, err := renderer.Render(mail)
			require.NoError(t, err)
			ev, err := json.MarshalIndent(sse.EventData(&stream), "", "  ")
			require.NoError(t, err)
			var b strings.Builder
			fmt.Fprintf(&b, "== message %s (%s)\n", m.ID, m.Topic)
			fmt.Fprintf(&b, "== email subject\n%s\n== email text\n%s== email html\n%s\n", msg.Subject, msg.Text, msg.HTML)
			// Rendered as of its sending, so no lateness note depends on the day the test runs.
			fmt.Fprintf(&b, "== irc\n%s\n", irc.Render(line, m.SentAt, irc.DefaultLateAfter, irc.TextBudget("fmn", "alice")))
			fmt.Fprintf(&b, "== sse\n%s\n", ev)

			path := filepath.Join("testdata", "golden", family+".golden")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./internal/notify -update to write it")
			require.Equal(t, string(want), b.String())

			// What every channel must say: the sentence, and (where the message has one) its link.
			require.NotEmpty(t, m.Summary)
			require.Contains(t, msg.Text, m.Summary)
			require.Contains(t, msg.Subject, m.Summary[:min(len(m.Summary), 40)])
			if m.URL != "" {
				require.Contains(t, msg.Text, m.URL)
			}
			for _, d := range m.Details {
				if !d.Text {
					require.Contains(t, msg.Text, d.Label+": ", "the long form is in the email")
				}
			}
		})
	}
}
