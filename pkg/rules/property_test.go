package rules_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/internal/population"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

var propNow = time.Date(2026, 11, 23, 19, 0, 0, 0, time.UTC)

// vocab is what random filters and messages are made of.
type vocab struct {
	users, groups, pkgs, apps, topics, globs []string
	// paths and their values, as found in bodies.
	paths  []string
	values map[string][]string
	types  []message.ArtifactType
}

// smallVocab is a small vocabulary, so random filters and messages often meet.
func smallVocab() *vocab {
	v := &vocab{
		users:  []string{"u0", "u1", "u2", "u3", "u4", "u5"},
		groups: []string{"g0", "g1", "g2"},
		pkgs:   []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6"},
		apps:   []string{"bodhi", "koji", "copr", "badges"},
		topics: []string{
			"org.fedoraproject.prod.bodhi.update.comment",
			"org.fedoraproject.prod.bodhi.update.request.testing",
			"org.fedoraproject.stg.bodhi.update.comment",
			"org.fedoraproject.prod.buildsys.build.state.change",
			"org.fedoraproject.prod.copr.build.end",
			"io.pagure.prod.pagure.pull-request.new",
			"bodhi.update.comment",
		},
		globs: []string{
			"org.fedoraproject.*", "org.fedoraproject.prod.bodhi.*", "*.comment", "*",
			"org.fedoraproject.?rod.*", "org.fedoraproject.[ps]*.bodhi.*", "org.fedoraproject.[!p]*",
			"*.bodhi.update.*", "io.pagure.*.pagure.*", "org.fedoraproject.prod.bodhi.update.comment",
			"org.fedoraproject.prod.bu*", "org.fedoraproject.prod.buildsys.build.state.chang?",
		},
		paths:  []string{"a", "a.b", "a.n", "list[0]", "list[1].x", "missing", "t"},
		values: map[string][]string{"a.b": {"x", "y"}, "a.n": {"1", "2"}, "list[0]": {"1", "true"}, "list[1].x": {"null", "z"}, "t": {"true", "false"}, "a": {"x"}, "missing": {"x"}},
		types:  []message.ArtifactType{message.ArtifactRPM, message.ArtifactContainer},
	}
	return v
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func picks[T any](r *rand.Rand, s []T, maxN int) []T {
	n := 1 + r.IntN(maxN)
	out := make([]T, n)
	for i := range out {
		out[i] = pick(r, s)
	}
	return out
}

// randomCondition makes a random, usually valid, condition over v for a filter of user.
func randomCondition(r *rand.Rand, v *vocab) rules.Condition {
	fields := []rules.Field{
		rules.FieldTopic, rules.FieldApp, rules.FieldSeverity, rules.FieldUser, rules.FieldAgent,
		rules.FieldArtifact, rules.FieldOwned, rules.FieldGroup, rules.FieldBody,
	}
	c := rules.Condition{Field: pick(r, fields), Negate: r.IntN(4) == 0}
	switch c.Field {
	case rules.FieldTopic:
		if r.IntN(3) == 0 {
			c.Values = picks(r, v.topics, 2)
		} else {
			c.Values = picks(r, v.globs, 2)
		}
		if r.IntN(5) == 0 {
			c.Op = rules.OpIn
		}
	case rules.FieldApp:
		c.Values = picks(r, v.apps, 2)
	case rules.FieldSeverity:
		sev := []string{"debug", "info", "warning", "error", "10", "20", "30", "40"}
		if r.IntN(2) == 0 {
			c.Values = []string{pick(r, sev)}
		} else {
			c.Op = rules.OpIn
			c.Values = picks(r, sev, 2)
		}
	case rules.FieldUser, rules.FieldAgent:
		c.Values = picks(r, append([]string{rules.Me, rules.Me}, v.users...), 3)
	case rules.FieldArtifact:
		c.Values = picks(r, v.pkgs, 3)
		if r.IntN(3) == 0 {
			c.ArtifactType = string(pick(r, v.types))
		}
	case rules.FieldOwned:
		owners := []string{rules.Me, rules.Me, rules.MyGroups}
		owners = append(owners, v.users[:min(len(v.users), 20)]...)
		for _, g := range v.groups[:min(len(v.groups), 5)] {
			owners = append(owners, rules.GroupPrefix+g)
		}
		c.Values = picks(r, owners, 2)
		if r.IntN(3) == 0 {
			c.ArtifactType = string(pick(r, v.types))
		}
	case rules.FieldGroup:
		c.Values = picks(r, v.groups, 2)
	case rules.FieldBody:
		c.Path = pick(r, v.paths)
		vals := v.values[c.Path]
		if len(vals) == 0 {
			vals = []string{"x"}
		}
		switch r.IntN(3) {
		case 0:
			c.Op = rules.OpEq
			c.Values = []string{pick(r, vals)}
		case 1:
			c.Values = picks(r, vals, 2)
		default:
			c.Op = rules.OpRegex
			s := pick(r, vals)
			c.Values = []string{"^" + regexp.QuoteMeta(s[:1+r.IntN(len(s))])}
		}
	}
	return c
}

// randomSnapshot makes filters, ownership and memberships over v.
func randomSnapshot(r *rand.Rand, v *vocab, nFilters int) *rules.Snapshot {
	s := &rules.Snapshot{}
	for i := range nFilters {
		f := rules.Filter{
			ID:      int64(r.IntN(nFilters * 2)), // ids may repeat across users
			User:    pick(r, v.users),
			Enabled: r.IntN(10) != 0,
		}
		for range r.IntN(3) {
			f.Destinations = append(f.Destinations, int64(1+r.IntN(3)))
		}
		if i%7 == 0 && len(f.Destinations) == 0 {
			f.Destinations = []int64{1}
		}
		for range 1 + r.IntN(4) {
			f.Conditions = append(f.Conditions, randomCondition(r, v))
		}
		s.Filters = append(s.Filters, f)
	}
	for range len(v.pkgs) * 2 {
		o := rules.Ownership{Artifact: message.Artifact{Type: pick(r, v.types), Name: pick(r, v.pkgs)}}
		if r.IntN(3) == 0 {
			o.Group = pick(r, v.groups)
		} else {
			o.User = pick(r, v.users)
		}
		s.Ownership = append(s.Ownership, o)
	}
	for range len(v.users) {
		s.Memberships = append(s.Memberships, rules.Membership{Group: pick(r, v.groups), User: pick(r, v.users)})
	}
	return s
}

// randomMessage makes a message over v.
func randomMessage(r *rand.Rand, v *vocab) *message.Message {
	m := &message.Message{
		ID:       strconv.Itoa(r.Int()),
		Topic:    pick(r, v.topics),
		App:      pick(r, append([]string{""}, v.apps...)),
		Severity: pick(r, []int{5, 10, 20, 25, 30, 40, 50}),
	}
	if r.IntN(3) != 0 {
		m.Agent = pick(r, v.users)
	}
	for range r.IntN(3) {
		m.Usernames = append(m.Usernames, pick(r, v.users))
	}
	if m.Agent != "" && r.IntN(2) == 0 {
		m.Usernames = append(m.Usernames, m.Agent)
	}
	for range r.IntN(2) {
		m.Groups = append(m.Groups, pick(r, v.groups))
	}
	for range r.IntN(3) {
		m.Artifacts = append(m.Artifacts, message.Artifact{Type: pick(r, v.types), Name: pick(r, v.pkgs)})
	}
	bodies := []string{
		`{"a": {"b": "x", "n": 1}, "list": [1, {"x": null}], "t": true}`,
		`{"a": {"b": "y", "n": 2}, "list": [true, {"x": "z"}], "t": false}`,
		`{"a": "x", "list": []}`,
		`[1, 2]`,
		`{}`,
		`not json`,
	}
	m.Body = []byte(pick(r, bodies))
	m.Normalize()
	return m
}

// requireSameMatches checks the compiled matcher against the naive one on msgs.
func requireSameMatches(t *testing.T, s *rules.Snapshot, msgs []*message.Message) (matched int) {
	t.Helper()
	n := rules.Naive(s)
	c, err := rules.Compile(s)
	require.NoError(t, err)
	require.Len(t, c.Invalid(), len(n.Invalid()))
	for _, m := range msgs {
		want := n.Match(m, propNow)
		got := c.Match(m, propNow)
		if !slices.EqualFunc(want, got, func(a, b rules.Match) bool {
			return a.User == b.User && a.Destination == b.Destination && slices.Equal(a.Filters, b.Filters)
		}) {
			require.Equal(t, want, got, "message %+v", m)
		}
		if len(want) > 0 {
			matched++
		}
	}
	return matched
}

func TestPropertyCompiledEqualsNaiveRandom(t *testing.T) {
	t.Parallel()
	seeds := 60
	if testing.Short() {
		seeds = 10
	}
	v := smallVocab()
	total, matched := 0, 0
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 42))
		s := randomSnapshot(r, v, 150)
		msgs := make([]*message.Message, 200)
		for i := range msgs {
			msgs[i] = randomMessage(r, v)
		}
		matched += requireSameMatches(t, s, msgs)
		total += len(msgs)
	}
	// The vocabulary is small enough that matches are common: the test exercises both outcomes.
	require.Greater(t, matched, total/4)
	require.Less(t, matched, total)
}

// corpusVocab is the vocabulary of the real messages: their users, groups, packages, apps,
// topics, globs made from the topics, and body paths with their values.
func corpusVocab(msgs []message.Message) *vocab {
	v := &vocab{values: map[string][]string{}, types: []message.ArtifactType{message.ArtifactRPM, message.ArtifactContainer}}
	seen := map[string]bool{}
	add := func(dst *[]string, kind, s string) {
		if s != "" && !seen[kind+s] {
			seen[kind+s] = true
			*dst = append(*dst, s)
		}
	}
	for i := range msgs {
		m := &msgs[i]
		for _, u := range m.Usernames {
			add(&v.users, "u", u)
		}
		add(&v.users, "u", m.Agent)
		for _, g := range m.Groups {
			add(&v.groups, "g", g)
		}
		for _, a := range m.Artifacts {
			add(&v.pkgs, "p", a.Name)
		}
		add(&v.apps, "a", m.App)
		add(&v.topics, "t", m.Topic)
		parts := strings.Split(m.Topic, ".")
		for k := 1; k < len(parts); k++ {
			add(&v.globs, "G", strings.Join(parts[:k], ".")+".*")
			star := slices.Clone(parts)
			star[k-1] = "*"
			add(&v.globs, "G", strings.Join(star, "."))
		}
		var body any
		if json.Unmarshal(m.Body, &body) == nil {
			collectPaths(v, seen, "", body, 0)
		}
	}
	// Few corpus messages name groups; make sure there are some to write conditions with.
	add(&v.groups, "g", "packager")
	add(&v.groups, "g", "provenpackager")
	return v
}

func collectPaths(v *vocab, seen map[string]bool, prefix string, x any, depth int) {
	if depth > 3 {
		return
	}
	switch t := x.(type) {
	case map[string]any:
		for k, e := range t {
			if strings.ContainsAny(k, ".[]") || k == "" {
				continue
			}
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			collectPaths(v, seen, p, e, depth+1)
		}
	case []any:
		if len(t) > 0 {
			collectPaths(v, seen, prefix+"[0]", t[0], depth+1)
		}
	default:
		if prefix == "" {
			return
		}
		if !seen["P"+prefix] {
			seen["P"+prefix] = true
			v.paths = append(v.paths, prefix)
		}
		s := fmt.Sprint(t)
		if t == nil {
			s = "null"
		}
		if s != "" && len(s) < 100 && len(v.values[prefix]) < 4 {
			v.values[prefix] = append(v.values[prefix], s)
		}
	}
	slices.Sort(v.paths) // map iteration order must not make the test random
}

func TestPropertyCompiledEqualsNaiveCorpus(t *testing.T) {
	t.Parallel()
	recs, err := corpus.LoadDefault()
	if err != nil {
		t.Skip(err)
	}
	real, _ := population.CorpusMessages(recs)
	require.NotEmpty(t, real)
	ptrs := func(ms []message.Message) []*message.Message {
		out := make([]*message.Message, len(ms))
		for i := range ms {
			out[i] = &ms[i]
		}
		return out
	}

	t.Run("random filters over the corpus vocabulary", func(t *testing.T) {
		t.Parallel()
		v := corpusVocab(real)
		matched := 0
		for seed := range 4 {
			r := rand.New(rand.NewPCG(uint64(seed), 7))
			s := randomSnapshot(r, v, 3000)
			matched += requireSameMatches(t, s, ptrs(real))
		}
		require.Positive(t, matched)
	})

	t.Run("generated population", func(t *testing.T) {
		t.Parallel()
		pop := population.Generate(population.Config{Users: 1500, Seed: 3})
		msgs, err := pop.MappedCorpus()
		require.NoError(t, err)
		matched := requireSameMatches(t, pop.Snapshot, ptrs(msgs))
		require.Greater(t, matched, len(msgs)/4)
	})
}
