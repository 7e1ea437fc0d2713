package rules_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"fmn/internal/corpus"
	"fmn/internal/population"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// Body-condition benchmarks (#21): the largest real bodies (GitHub, Anitya, Bodhi, Discourse) and
// a median Koji one, read by a population where ≈15 % of users have a body condition, most of them
// in the always-check list, some on paths no body has. Run them with:
//
//	GOMAXPROCS=1 go test -run '^$' -bench 'Body' -benchmem ./pkg/rules
//
// BenchmarkBodyRead compares, on the same body and paths, the full parse (what the naive evaluator
// does, and the compiled matcher did before) with the one-pass extraction; BenchmarkBodyMatch
// measures whole Match calls.

// benchBodyPaths returns the paths the benchmark's body conditions read: real ones of several
// families, and fedmsg-era ones that no body of today has.
func benchBodyPaths() []string {
	return []string{
		"update.status", "update.title", "update.builds[0].nvr", "update.critpath", "update.user.name",
		"owner", "name", "new",
		"body.pull_request.title", "body.sender.login", "body.repository.full_name",
		"project.name", "message.project.name",
		"webhook_body.solved.topic_title", "webhook_body.post.username",
		"msg.update.status", "msg.owner", "msg.build.nvr",
	}
}

// bodyBenchMessage is one real message of the benchmark, named after its family and body size.
type bodyBenchMessage struct {
	name string
	m    message.Message
}

// bodyBenchMessages picks the largest body of the GitHub, Anitya, Bodhi and Discourse families
// and the median Koji (buildsys) message from the corpus.
func bodyBenchMessages(b *testing.B) []bodyBenchMessage {
	b.Helper()
	recs, err := corpus.LoadDefault()
	if err != nil {
		b.Skip(err)
	}
	// pickRec returns the family's largest record, or its median one by body size.
	pickRec := func(family string, largest bool) *corpus.Record {
		var fam []*corpus.Record
		for i := range recs {
			if recs[i].Family == family {
				fam = append(fam, &recs[i])
			}
		}
		if len(fam) == 0 {
			return nil
		}
		slices.SortStableFunc(fam, func(a, b *corpus.Record) int { return len(a.Body) - len(b.Body) })
		if largest {
			return fam[len(fam)-1]
		}
		return fam[len(fam)/2]
	}
	var out []bodyBenchMessage
	for _, fam := range []struct {
		name    string
		largest bool
	}{{"github", true}, {"anitya", true}, {"bodhi", true}, {"discourse", true}, {"buildsys", false}} {
		r := pickRec(fam.name, fam.largest)
		if r == nil {
			b.Fatalf("no %s message in the corpus", fam.name)
		}
		msgs, _ := population.CorpusMessages([]corpus.Record{*r})
		if len(msgs) != 1 {
			b.Fatalf("%s message %s does not decode", fam.name, r.ID)
		}
		out = append(out, bodyBenchMessage{name: fmt.Sprintf("%s-%.1fKB", fam.name, float64(len(msgs[0].Body))/1000), m: msgs[0]})
	}
	return out
}

func BenchmarkBodyRead(b *testing.B) {
	full, onePass := rules.BodyReaders(benchBodyPaths())
	for _, bm := range bodyBenchMessages(b) {
		body := bm.m.Body
		if full(body) != onePass(body) {
			b.Fatalf("%s: the readers disagree", bm.name)
		}
		b.Run(bm.name+"/full-parse", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				full(body)
			}
		})
		b.Run(bm.name+"/one-pass", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				onePass(body)
			}
		})
	}
}

// withBodyFilters adds one body filter to share of pop's users, of the kinds Fedora's users
// write: most carry only severity and body conditions (so they are always-check), some narrow a
// topic glob, some read paths that no body has.
func withBodyFilters(pop *population.Population, share float64) *rules.Snapshot {
	r := rand.New(rand.NewPCG(21, 21))
	s := *pop.Snapshot
	s.Filters = slices.Clone(s.Filters)
	id := int64(1) << 40
	body := func(op rules.Op, path string, values ...string) rules.Condition {
		return rules.Condition{Field: rules.FieldBody, Op: op, Path: path, Values: values}
	}
	info := rules.Condition{Field: rules.FieldSeverity, Op: rules.OpAtLeast, Values: []string{"info"}}
	glob := func(p string) rules.Condition {
		return rules.Condition{Field: rules.FieldTopic, Op: rules.OpGlob, Values: []string{p}}
	}
	for _, u := range pop.Users {
		if r.Float64() >= share {
			continue
		}
		pkg := pop.Packages[r.IntN(min(len(pop.Packages), 2000))]
		var conds []rules.Condition
		switch r.IntN(10) {
		case 0, 1: // my builds: owner == name
			conds = []rules.Condition{body(rules.OpEq, "owner", u)}
		case 2:
			conds = []rules.Condition{info, body(rules.OpIn, "update.status", "stable", "testing")}
		case 3:
			conds = []rules.Condition{glob("org.fedoraproject.*.bodhi.update.*"), body(rules.OpRegex, "update.title", "^(kernel|python3)-")}
		case 4:
			conds = []rules.Condition{body(rules.OpRegex, "update.builds[0].nvr", `\.fc4[0-3]$`)}
		case 5:
			conds = []rules.Condition{body(rules.OpRegex, "body.pull_request.title", `(?i)\bfix`)}
		case 6:
			conds = []rules.Condition{body(rules.OpIn, "project.name", pkg, "python-requests")}
		case 7: // fedmsg-era paths: missing from every body of today
			conds = []rules.Condition{body(rules.OpIn, "msg.update.status", "stable"), body(rules.OpEq, "msg.owner", u)}
		case 8:
			conds = []rules.Condition{glob("*.buildsys.build.state.change"), body(rules.OpIn, "name", pkg)}
		default:
			neg := body(rules.OpEq, "update.critpath", "true")
			neg.Negate = true
			conds = []rules.Condition{info, neg, body(rules.OpRegex, "webhook_body.solved.topic_title", "(?i)fedora")}
		}
		id++
		s.Filters = append(s.Filters, rules.Filter{ID: id, User: u, Enabled: true, Destinations: []int64{id}, Conditions: conds})
	}
	return &s
}

func BenchmarkBodyMatch(b *testing.B) {
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	msgs := bodyBenchMessages(b)
	for _, users := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) {
			pop := population.Generate(population.Config{Users: users, Seed: 1})
			// ≈15 % of users with a body filter, as in Fedora; and none, to see what they cost.
			for _, share := range []float64{0.15, 0} {
				c, err := rules.Compile(withBodyFilters(pop, share))
				if err != nil {
					b.Fatal(err)
				}
				st := c.Stats()
				b.Logf("body share %.2f: always-check filters: %d of %d live", share, st.AlwaysCheck, st.Indexed+st.AlwaysCheck)
				for _, bm := range msgs {
					m := bm.m
					pop.MapMessage(&m)
					b.Run(fmt.Sprintf("body=%.0f%%/%s", share*100, bm.name), func(b *testing.B) {
						matches := 0
						for b.Loop() {
							matches += len(c.Match(&m, now))
						}
						b.ReportMetric(float64(matches)/float64(b.N), "matches/op")
					})
				}
			}
		})
	}
}
