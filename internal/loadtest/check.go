package loadtest

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"fmn/internal/loadtest/report"
	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// check compares what the streams hold with what was expected, sets r's counts from it, and
// returns the comparison, with its first differences.
func check(r *report.PhaseResult, tr *traffic, stored, seen map[string]int) report.SinkResult {
	s := report.CompareSink("sse", report.Once(tr.ids), stored, nil)
	r.Delivered, r.Lost, r.Duplicated, r.Unexpected = s.Delivered, s.Lost, s.Duplicated, s.Unexpected
	// What the open streams received counts too: an event sent twice to a client is a duplicate
	// even if the stream holds it once.
	for _, n := range seen {
		if n > 1 {
			r.Duplicated += n - 1
		}
	}
	return s
}

// checkSinks compares what mailpit, the IRC receivers and the delivery ledger hold with what the
// filters call for, beside the SSE streams that check compared (streams), and adds every sink's
// losses, duplicates and surprises to the phase's.
func (r *phaseRun) checkSinks(ctx context.Context, streams report.SinkResult) error {
	res := &r.res.PhaseResult
	res.Sinks = []report.SinkResult{streams}
	mails, err := r.mail.received(ctx)
	if err != nil {
		return err
	}
	res.Sinks = append(res.Sinks, report.CompareArrivals("email", report.Once(r.tr.mail), mails))
	res.Sinks = append(res.Sinks, report.CompareArrivals("irc", r.tr.irc, r.receivers.close()))

	rows, err := ledgerRows(ctx, r.e.dbURL)
	if err != nil {
		return err
	}
	sent := map[string]int{}
	failed := map[string]int{}
	for id, status := range rows {
		if status == "sent" {
			sent[id] = 1
		} else {
			failed[status]++
		}
	}
	res.Sinks = append(res.Sinks, report.CompareSink("ledger", report.Once(r.tr.ledger), sent, nil))
	if len(failed) > 0 {
		res.Errors = append(res.Errors, "ledger rows not sent: "+report.Counts(failed))
	}
	for _, s := range res.Sinks[1:] {
		res.Lost += s.Lost
		res.Duplicated += s.Duplicated
		res.Unexpected += s.Unexpected
	}
	return nil
}

// The fault run's email and IRC users, by default.
const (
	defaultMailUsers = 40
	defaultIRCUsers  = 20
)

// addSinkUsers picks the fault run's email and IRC users around the lower quartile of the users
// with notifications in a sample of the traffic, by their number (the traffic repeats the corpus,
// so its users get thousands), and gives them those destinations; it returns the IRC users' nicks.
func addSinkUsers(ctx context.Context, cfg Config, dbURL string, ts []template, snap *prefs.Snapshot, m *rules.Matcher) ([]string, error) {
	nMail, nIRC := cfg.MailUsers, cfg.IRCUsers
	if nMail <= 0 {
		nMail = defaultMailUsers
	}
	if nIRC <= 0 {
		nIRC = defaultIRCUsers
	}
	tr, err := makeTraffic(ts, min(cfg.Messages, 5000), "pick", snap, m, time.Now())
	if err != nil {
		return nil, err
	}
	users := slices.SortedFunc(maps.Keys(tr.perUser), func(a, b string) int {
		return cmp.Or(cmp.Compare(tr.perUser[a], tr.perUser[b]), cmp.Compare(a, b))
	})
	from := max(0, len(users)/4-(nMail+nIRC)/2) // the lower quartile: the mail server paces the run
	users = users[from:min(len(users), from+nMail+nIRC)]
	var mail, ircUsers, nicks []string
	for i, u := range users {
		if len(mail) < nMail && (i%2 == 0 || len(ircUsers) >= nIRC) {
			mail = append(mail, u)
			continue
		}
		nicks = append(nicks, nickOf(len(ircUsers)))
		ircUsers = append(ircUsers, u)
	}
	return nicks, addChannels(ctx, dbURL, mail, ircUsers)
}

// sampleUsers returns up to n of the users with notifications in tr, spread evenly over them
// (in name order), so that the clients see typical users rather than the busiest.
func sampleUsers(tr *traffic, n int) []string {
	users := slices.Sorted(maps.Keys(tr.perUser))
	if n >= len(users) {
		return users
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, users[i*len(users)/n])
	}
	return out
}

// usersOf lists the users who have filters: any of their streams may have received something.
func usersOf(snap *prefs.Snapshot) []string {
	seen := map[string]bool{}
	for _, f := range snap.Rules.Filters {
		seen[f.User] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// matchMicros is the workers' mean matching time per message, in µs.
func matchMicros(ctx context.Context, workers []*proc) float64 {
	var total, n float64
	for _, w := range workers {
		fams, err := w.metrics(ctx)
		if err != nil {
			continue
		}
		if f := fams["fmn_worker_match_seconds"]; f != nil {
			for _, m := range f.GetMetric() {
				total += m.GetHistogram().GetSampleSum()
				n += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	if n == 0 {
		return 0
	}
	return report.Round(total/n*1e6, 1)
}
