package message_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/pkg/message"
)

// testAliases are the four account look-ups the corpus expectations were computed with
// (see testdata/corpus/README.md).
var testAliases = message.MapAliases{
	"threebean":                   "ralph",
	"rbean@redhat.com":            "ralph",
	"puiterwijk@gmail.com":        "puiterwijk",
	"nicolas.mailhot@laposte.net": "nim",
}

// minShare is the share of corpus records whose usernames (and packages) must equal the
// expected set (tracker issue 4).
const minShare = 0.95

type tally struct{ ok, total int }

func (t tally) share() float64 {
	if t.total == 0 {
		return 1
	}
	return float64(t.ok) / float64(t.total)
}

func sameSet(got, want []string) bool {
	g := slices.Compact(slices.Sorted(slices.Values(got)))
	w := slices.Compact(slices.Sorted(slices.Values(want)))
	return slices.Equal(g, w)
}

// TestCorpusExtraction compares extraction with the values Fedora's own code computed for the
// real-message corpus, overall and per family, and fails if either share drops below 95%.
func TestCorpusExtraction(t *testing.T) {
	t.Parallel()
	recs, err := corpus.LoadDefault()
	require.NoError(t, err)

	var users, pkgs, agents tally
	famUsers := map[string]*tally{}
	famPkgs := map[string]*tally{}
	for _, r := range recs {
		if r.Expected == nil || (r.Expected.Usernames == nil && r.Expected.Packages == nil && r.Expected.Agent == nil) {
			continue
		}
		m, err := message.DecodeAMQP(r.AMQP(), 0)
		require.NoError(t, err, "record %s", r.ID)
		message.Extract(&m, testAliases)
		if r.Expected.Usernames != nil {
			ft := famUsers[r.Family]
			if ft == nil {
				ft = &tally{}
				famUsers[r.Family] = ft
			}
			users.total++
			ft.total++
			if sameSet(m.Usernames, r.Expected.Usernames) {
				users.ok++
				ft.ok++
			} else {
				t.Logf("usernames miss %s %s: got %q want %q", r.ID, r.Topic, m.Usernames, r.Expected.Usernames)
			}
		}
		if r.Expected.Agent != nil {
			agents.total++
			if m.Agent == *r.Expected.Agent {
				agents.ok++
			} else {
				t.Logf("agent miss (informational) %s %s: got %q want %q", r.ID, r.Topic, m.Agent, *r.Expected.Agent)
			}
		}
		if r.Expected.Packages != nil {
			ft := famPkgs[r.Family]
			if ft == nil {
				ft = &tally{}
				famPkgs[r.Family] = ft
			}
			pkgs.total++
			ft.total++
			if sameSet(m.Packages(), r.Expected.Packages) {
				pkgs.ok++
				ft.ok++
			} else {
				t.Logf("packages miss %s %s: got %q want %q", r.ID, r.Topic, m.Packages(), r.Expected.Packages)
			}
		}
	}
	fams := make([]string, 0, len(famUsers)+len(famPkgs))
	for f := range famUsers {
		fams = append(fams, f)
	}
	for f := range famPkgs {
		if famUsers[f] == nil {
			fams = append(fams, f)
		}
	}
	sort.Strings(fams)
	for _, f := range fams {
		u, p := famUsers[f], famPkgs[f]
		if u == nil {
			u = &tally{}
		}
		if p == nil {
			p = &tally{}
		}
		t.Logf("family %-16s usernames %3d/%-3d packages %3d/%-3d", f, u.ok, u.total, p.ok, p.total)
	}
	t.Logf("usernames: %d/%d = %.1f%%", users.ok, users.total, 100*users.share())
	t.Logf("packages:  %d/%d = %.1f%%", pkgs.ok, pkgs.total, 100*pkgs.share())
	t.Logf("agent (informational): %d/%d = %.1f%%", agents.ok, agents.total, 100*agents.share())
	require.GreaterOrEqual(t, users.share(), minShare, "usernames share")
	require.GreaterOrEqual(t, pkgs.share(), minShare, "packages share")
}

// BenchmarkExtract measures extraction per message over the whole corpus (decoding excluded):
// one op is one message, cycling through the corpus.
func BenchmarkExtract(b *testing.B) {
	recs, err := corpus.LoadDefault()
	if err != nil {
		b.Skip(err)
	}
	msgs := make([]message.Message, 0, len(recs))
	for _, r := range recs {
		m, err := message.DecodeAMQP(r.AMQP(), 0)
		require.NoError(b, err)
		msgs = append(msgs, m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m := msgs[i%len(msgs)]
		m.Usernames = slices.Clone(m.Usernames)
		m.Artifacts = slices.Clone(m.Artifacts)
		m.Groups = slices.Clone(m.Groups)
		message.Extract(&m, testAliases)
		i++
	}
}

// BenchmarkDecodeAndExtract measures the consumer's whole per-message cost: decode + extract.
func BenchmarkDecodeAndExtract(b *testing.B) {
	recs, err := corpus.LoadDefault()
	if err != nil {
		b.Skip(err)
	}
	ds := make([]message.AMQP, len(recs))
	for i := range recs {
		ds[i] = recs[i].AMQP()
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		m, err := message.DecodeAMQP(ds[i%len(ds)], 0)
		if err == nil {
			message.Extract(&m, testAliases)
		}
		i++
	}
}
