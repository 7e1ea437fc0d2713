// Package synth generates synthetic bus messages shaped like Fedora's traffic, to fill the
// message archive for load tests and query benchmarks. Each message is a real corpus message (a
// template, chosen with the topic-family mix of DefaultWeights) whose users, groups and packages are
// redrawn from an internal/population with popularity skew, with a fresh id and a send time spread
// over a span with a daily and weekly rhythm.
//
// Message(i) is a pure function of the Config and i: the same seed gives the same messages, in any
// order and on any number of goroutines.
package synth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"fmn/internal/corpus"
	"fmn/internal/population"
	"fmn/pkg/message"
)

// DefaultWeights returns the share of bus traffic per corpus family (the corpus "family" field,
// roughly the sending application), in relative units; a family not listed gets DefaultWeight. The
// corpus holds a few messages of each family, not a sample of the traffic, so the mix is set here.
// It follows the shape of Fedora's production bus as datagrepper shows it: koji (buildsys: build and task state
// changes, tags, repos, signing) and copr builds dominate, then CI results, bodhi updates and
// comments, dist-git and Pagure pushes, openQA, composes, release monitoring and badges; the rest
// are small.
func DefaultWeights() map[string]float64 {
	return map[string]float64{
		"buildsys":         300,
		"copr":             150,
		"ci":               80,
		"bodhi":            80,
		"git":              50,
		"pagure":           50,
		"openqa":           40,
		"compose":          30,
		"pungi":            10,
		"anitya":           30,
		"hotness":          20,
		"fedbadges":        20,
		"badges":           10,
		"greenwave":        15,
		"waiverdb":         5,
		"koschei":          10,
		"mdapi":            10,
		"discourse":        10,
		"fas":              10,
		"github":           10,
		"forgejo":          5,
		"gitlab":           5,
		"bugzilla":         10,
		"mirrormanager":    5,
		"fedimg":           5,
		"autocloud":        3,
		"mailman":          5,
		"meetbot":          3,
		"wiki":             3,
		"planet":           3,
		"pkgdb":            2,
		"fedora_elections": 1,
	}
}

// DefaultWeight is the weight of a family not in the weights.
const DefaultWeight = 1

// hourWeights is the relative traffic per UTC hour: low at night in Europe and the Americas,
// highest in the European afternoon, when both are at work.
var hourWeights = [24]float64{
	0.55, 0.5, 0.45, 0.45, 0.5, 0.6, 0.75, 0.9, 1.05, 1.15, 1.2, 1.25,
	1.3, 1.35, 1.4, 1.4, 1.35, 1.3, 1.2, 1.1, 1.0, 0.85, 0.7, 0.6,
}

// weekendWeight is the traffic on Saturday and Sunday relative to a weekday.
const weekendWeight = 0.7

// Config describes the messages to generate.
type Config struct {
	// Seed selects the messages; the same Config gives the same messages.
	Seed uint64
	// N is the number of messages (spread over the span). Message(i) needs 0 <= i < N.
	N int
	// Start and Span bound the send times: [Start, Start+Span).
	Start time.Time
	Span  time.Duration
	// Population supplies the user, group and package names.
	Population *population.Population
	// Weights is the relative traffic per corpus family (default DefaultWeights()); a family not
	// in it gets DefaultWeight.
	Weights map[string]float64
}

// template is a corpus message ready to copy, with the distinct real names it mentions.
type template struct {
	msg   message.Message
	users []string // Usernames and Agent, distinct
}

// Generator makes synthetic messages. It is safe for concurrent use.
type Generator struct {
	cfg       Config
	families  [][]template
	famCum    []float64 // cumulative family weights, normalised to end at 1
	famNames  []string
	minuteCum []float64 // cumulative traffic per minute of the span, normalised to end at 1
}

// New builds a generator from the corpus records recs (see corpus.LoadDefault).
func New(cfg Config, recs []corpus.Record) (*Generator, error) {
	if cfg.N <= 0 {
		return nil, errors.New("synth: N must be positive")
	}
	if cfg.Span < time.Minute {
		return nil, errors.New("synth: Span must be at least a minute")
	}
	if cfg.Population == nil || len(cfg.Population.Users) == 0 || len(cfg.Population.Packages) == 0 {
		return nil, errors.New("synth: a Population with users and packages is needed")
	}
	byFamily := map[string][]template{}
	for i := range recs {
		msgs, _ := population.CorpusMessages(recs[i : i+1]) // records that do not decode are skipped
		if len(msgs) == 0 {
			continue
		}
		m := msgs[0]
		m.Topic = prodTopic(m.Topic)
		m.Headers = nil // the headers name the real users; the archive does not keep them anyway
		t := template{msg: m}
		t.users = slices.Clone(m.Usernames)
		if m.Agent != "" && !slices.Contains(t.users, m.Agent) {
			t.users = append(t.users, m.Agent)
		}
		byFamily[recs[i].Family] = append(byFamily[recs[i].Family], t)
	}
	if len(byFamily) == 0 {
		return nil, errors.New("synth: no usable corpus messages")
	}
	g := &Generator{cfg: cfg}
	for f := range byFamily {
		g.famNames = append(g.famNames, f)
	}
	sort.Strings(g.famNames)
	if cfg.Weights == nil {
		cfg.Weights = DefaultWeights()
	}
	total := 0.0
	for _, f := range g.famNames {
		w, ok := cfg.Weights[f]
		if !ok {
			w = DefaultWeight
		}
		total += w
		g.families = append(g.families, byFamily[f])
		g.famCum = append(g.famCum, total)
	}
	for i := range g.famCum {
		g.famCum[i] /= total
	}
	minutes := int(cfg.Span / time.Minute)
	g.minuteCum = make([]float64, minutes)
	total = 0
	for i := range minutes {
		t := cfg.Start.Add(time.Duration(i) * time.Minute).UTC()
		w := hourWeights[t.Hour()]
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= weekendWeight
		}
		total += w
		g.minuteCum[i] = total
	}
	for i := range g.minuteCum {
		g.minuteCum[i] /= total
	}
	return g, nil
}

// Families returns each corpus family with its share of the generated messages, largest first.
func (g *Generator) Families() []FamilyShare {
	out := make([]FamilyShare, len(g.famNames))
	prev := 0.0
	for i, f := range g.famNames {
		out[i] = FamilyShare{Family: f, Share: g.famCum[i] - prev, Templates: len(g.families[i])}
		prev = g.famCum[i]
	}
	slices.SortFunc(out, func(a, b FamilyShare) int {
		if a.Share != b.Share {
			if a.Share > b.Share {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Family, b.Family)
	})
	return out
}

// FamilyShare is one family's share of the generated traffic.
type FamilyShare struct {
	Family    string
	Share     float64
	Templates int
}

// prodTopic moves a staging or development topic to production, as the archive would mostly hold.
func prodTopic(t string) string {
	for _, env := range []string{".stg.", ".dev."} {
		if i := strings.Index(t, env); i >= 0 && i < 20 {
			return t[:i] + ".prod." + t[i+len(env):]
		}
	}
	return t
}

// Message returns message i (0 <= i < N). Send times grow with i. Its users are drawn with a
// Zipf skew over the population's users (user000000 is the busiest), its packages with
// population.Package's skew, its groups uniformly; the body, summary, topic and severity are the
// template's, so the archive's columns are what extraction gives on real traffic.
func (g *Generator) Message(i int) message.Message {
	r := rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)))
	f := sort.SearchFloat64s(g.famCum, r.Float64())
	fam := g.families[min(f, len(g.families)-1)]
	t := &fam[r.IntN(len(fam))]
	m := t.msg

	m.ID = uuid(r)
	m.SentAt = g.sentAt(i, r.Float64())

	p := g.cfg.Population
	if len(t.users) > 0 {
		zipf := rand.NewZipf(r, 1.1, 50, uint64(len(p.Users)-1))
		mapped := make(map[string]string, len(t.users))
		for _, u := range t.users {
			mapped[u] = p.Users[zipf.Uint64()]
		}
		m.Usernames = make([]string, len(t.msg.Usernames))
		for k, u := range t.msg.Usernames {
			m.Usernames[k] = mapped[u]
		}
		if m.Agent != "" {
			m.Agent = mapped[m.Agent]
		}
	}
	salt := "#" + strconv.Itoa(i)
	if len(t.msg.Groups) > 0 {
		m.Groups = make([]string, len(t.msg.Groups))
		for k, gr := range t.msg.Groups {
			m.Groups[k] = p.Group(gr + salt)
		}
	}
	if len(t.msg.Artifacts) > 0 {
		m.Artifacts = slices.Clone(t.msg.Artifacts)
		for k := range m.Artifacts {
			m.Artifacts[k].Name = p.Package(m.Artifacts[k].Name + salt)
		}
	}
	m.Normalize()
	return m
}

// Batch returns messages from, from+1, ... up to n of them, stopping at N.
func (g *Generator) Batch(from, n int) []message.Message {
	n = max(0, min(n, g.cfg.N-from))
	out := make([]message.Message, n)
	for k := range out {
		out[k] = g.Message(from + k)
	}
	return out
}

// sentAt is message i's send time: the point (i+u)/N of the span's traffic.
func (g *Generator) sentAt(i int, u float64) time.Time {
	x := (float64(i) + u) / float64(g.cfg.N)
	k := sort.SearchFloat64s(g.minuteCum, x)
	k = min(k, len(g.minuteCum)-1)
	lo := 0.0
	if k > 0 {
		lo = g.minuteCum[k-1]
	}
	frac := 0.0
	if w := g.minuteCum[k] - lo; w > 0 {
		frac = min(max((x-lo)/w, 0), 1)
	}
	d := time.Duration(k)*time.Minute + time.Duration(frac*float64(time.Minute))
	return g.cfg.Start.Add(d).UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
}

// uuid draws a random (version 4) UUID from r.
func uuid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	a = a&^0xf000 | 0x4000     // version 4
	b = b&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}
