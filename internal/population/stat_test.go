package population

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"fmn/pkg/rules"
)

func TestPrintStats(t *testing.T) {
	p := Generate(Config{Users: 100000, Seed: 1})
	m, _ := rules.Compile(p.Snapshot)
	msgs, _ := p.MappedCorpus()
	type row struct {
		i, cands, matches int
		d                 time.Duration
	}
	var rows []row
	for i := range msgs {
		t0 := time.Now()
		out, info := m.MatchWithInfo(&msgs[i], msgs[i].SentAt)
		rows = append(rows, row{i, info.Candidates, len(out), time.Since(t0)})
	}
	sort.Slice(rows, func(a, b int) bool { return rows[a].d > rows[b].d })
	for _, r := range rows[:15] {
		mm := msgs[r.i]
		fmt.Println(r.d, r.cands, r.matches, mm.Topic, len(mm.Usernames), len(mm.Artifacts), mm.Agent, mm.Usernames[:min(3, len(mm.Usernames))], mm.Artifacts[:min(3, len(mm.Artifacts))])
	}
}
