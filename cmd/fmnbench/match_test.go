package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/population"
)

// The tests are not parallel: matchBench measures the heap.

func TestMatchBenchReportsTheWork(t *testing.T) {
	for _, shape := range []string{"fedora", "default"} {
		var out bytes.Buffer
		err := matchBench(context.Background(), []string{"-users", "2000", "-messages", "600", "-shape", shape, "-json"}, &out, io.Discard)
		require.NoError(t, err)
		var rep matchReport
		require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
		require.Equal(t, population.Shape(shape), rep.Shape)
		require.Equal(t, 600, rep.Messages)
		require.Positive(t, rep.Filters)
		require.Positive(t, rep.CompileS)
		require.Positive(t, rep.MatcherHeapMiB)
		require.Positive(t, rep.CandidatesMsg)
		require.Positive(t, rep.MatchesMsg)
		require.Positive(t, rep.CostPerMatchUS)
		require.LessOrEqual(t, rep.MedianUS, rep.P99US)
		require.LessOrEqual(t, rep.P99US, rep.MaxUS)
		require.GreaterOrEqual(t, rep.BodyParsesMsg, 0.0)
		require.LessOrEqual(t, rep.BodyParsesMsg, 1.0)
	}
}

func TestMatchBenchText(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, matchBench(context.Background(), []string{"-users", "500", "-messages", "100"}, &out, io.Discard))
	for _, want := range []string{"shape fedora, 500 users", "compile:", "matcher heap", "median", "p99", "candidates", "body parses", "mean cost per match"} {
		require.True(t, strings.Contains(out.String(), want), "%q in\n%s", want, out.String())
	}
	require.Error(t, matchBench(context.Background(), []string{"-shape", "debian"}, &out, io.Discard))
}
