package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/pkg/message"
)

// corpusBodyPaths returns every scalar path of a decoded body (array elements up to the third,
// depth up to MaxPathDepth) with its string form, and paths that miss: past an array's end, below
// a scalar, a sibling key that is not there.
func corpusBodyPaths(body []byte) map[string]string {
	var root any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&root) != nil {
		return nil
	}
	out := map[string]string{}
	var walk func(prefix string, v any, depth int)
	walk = func(prefix string, v any, depth int) {
		if depth >= MaxPathDepth {
			return
		}
		join := func(k string) string {
			if prefix == "" {
				return k
			}
			return prefix + "." + k
		}
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if k != "" && !strings.ContainsAny(k, ".[]") {
					walk(join(k), e, depth+1)
				}
			}
			out[join("no_such_key")] = ""
		case []any:
			for i := range min(len(t), 3) {
				walk(prefix+"["+strconv.Itoa(i)+"]", t[i], depth+1)
			}
			out[prefix+"["+strconv.Itoa(len(t))+"]"] = ""
		default:
			if prefix != "" {
				s, _ := scalarAt(v, nil)
				out[prefix] = s
				out[prefix+".below"] = ""
			}
		}
	}
	walk("", root, 0)
	return out
}

func loadCorpusBodies(t *testing.T) []corpus.Record {
	t.Helper()
	recs, err := corpus.LoadDefault()
	if err != nil {
		t.Skip(err)
	}
	require.NotEmpty(t, recs)
	return recs
}

func TestBodyExtractCorpus(t *testing.T) {
	t.Parallel()
	// Every path of every real body, all in one trie: extraction reads what the full parse reads.
	recs := loadCorpusBodies(t)
	set := map[string]bool{}
	for _, r := range recs {
		for p := range corpusBodyPaths(r.Body) {
			set[p] = true
		}
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for p := range set {
			if !yield(p) {
				return
			}
		}
	})
	require.Greater(t, len(paths), 1000)
	segs := make([][]pathSeg, len(paths))
	bodies := make([]*bodyCond, len(paths))
	for i, p := range paths {
		sg, err := parsePath(p)
		require.NoError(t, err, p)
		segs[i], bodies[i] = sg, &bodyCond{path: sg}
	}
	bp := newBodyPaths(bodies)
	var sc bodyScanner
	vals := make([]bodyVal, bp.slots)
	found := 0
	for _, r := range recs {
		want := fullParseReadings(r.Body, segs)
		parsed := sc.extract(r.Body, bp, vals)
		for i, w := range want {
			v := vals[bp.slotOf[i]]
			got := bodyReading{S: string(v.b), OK: v.ok, Parsed: parsed}
			if !parsed {
				got = bodyReading{}
			}
			if got != w {
				require.Equal(t, w, got, "record %s, path %q", r.ID, paths[i])
			}
			if got.OK {
				found++
			}
		}
	}
	require.Greater(t, found, len(recs))
}

// bodyFilters makes n body-only filters for users u0…u(n/4), on paths and values taken from the
// corpus (a fifth of them on a missing path, a fifth negated, some regexps).
func bodyFilters(r *rand.Rand, recs []corpus.Record, n int) []Filter {
	var fs []Filter
	for i := range n {
		rec := recs[r.IntN(len(recs))]
		m := corpusBodyPaths(rec.Body)
		if len(m) == 0 {
			continue
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		})
		p := keys[r.IntN(len(keys))]
		v := m[p]
		if v == "" { // a path that misses, or an empty string: compare with something
			v = "absent"
		}
		if len(v) > MaxValueLen {
			v = v[:MaxValueLen/2]
		}
		c := Condition{Field: FieldBody, Op: OpIn, Path: p, Values: []string{v, "other"}}
		switch r.IntN(5) {
		case 0:
			c.Path = p + ".missing"
		case 1:
			c.Op, c.Values = OpRegex, []string{"^" + regexp.QuoteMeta(v)}
		case 2:
			c.Op, c.Values = OpEq, []string{v}
		}
		conds := []Condition{c}
		if r.IntN(5) == 0 {
			// Negated, beside a positive condition that holds for most messages.
			conds = []Condition{{Field: FieldSeverity, Op: OpAtLeast, Values: []string{"debug"}}, c}
			conds[1].Negate = true
		}
		fs = append(fs, Filter{
			ID: int64(i + 1), User: fmt.Sprintf("u%03d", i/4), Enabled: true,
			Destinations: []int64{int64(i%3 + 1)}, Conditions: conds,
		})
	}
	return fs
}

func TestBodyConditionsCompiledEqualsNaiveCorpus(t *testing.T) {
	t.Parallel()
	// Body-only filters on paths of real bodies, compiled and patched (a base and an overlay
	// each extract their own paths), agree with the naive evaluator's full parse.
	recs := loadCorpusBodies(t)
	r := rand.New(rand.NewPCG(21, 4))
	s := &Snapshot{Filters: bodyFilters(r, recs, 2000)}
	c, err := Compile(s)
	require.NoError(t, err)
	require.Empty(t, c.Invalid())
	// eq and in conditions are indexed by value; regexps stay always-check.
	require.Positive(t, c.Stats().ByBody)
	require.Positive(t, c.Stats().AlwaysCheck)

	// Patch a tenth of the users with other users' filters (new paths included).
	repl := map[string][]Filter{}
	for _, f := range bodyFilters(r, recs, 2000) {
		if f.User < "u050" {
			f.ID += 10_000
			repl[f.User] = append(repl[f.User], f)
		}
	}
	patched := &Snapshot{}
	for _, f := range s.Filters {
		if _, ok := repl[f.User]; !ok {
			patched.Filters = append(patched.Filters, f)
		}
	}
	for _, fs := range repl {
		patched.Filters = append(patched.Filters, fs...)
	}
	pc, err := c.WithUsers(repl)
	require.NoError(t, err)

	naive, naivePatched := Naive(s), Naive(patched)
	matched := 0
	for _, rec := range recs {
		m := &message.Message{Topic: rec.Topic, Severity: message.SeverityInfo, Body: rec.Body}
		want := naive.Match(m, testNow)
		require.Equal(t, want, c.Match(m, testNow), rec.ID)
		require.Equal(t, naivePatched.Match(m, testNow), pc.Match(m, testNow), rec.ID)
		matched += len(want)
	}
	require.Positive(t, matched)
}
