package message_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

// summaryCase is one message of a family's table test of sentences and links.
type summaryCase struct {
	name  string
	topic string
	body  string
	// contains are phrases the summary must hold, in this order.
	contains []string
	// url is the exact link.
	url string
	// agent and pkgs, when set, are what the extraction must find.
	agent string
	pkgs  []string
}

// checkSummaries runs a table of summaryCase, each in parallel.
func checkSummaries(t *testing.T, cases []summaryCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := extract(t, tc.topic, tc.body, nil)
			rest := m.Summary
			for _, w := range tc.contains {
				i := strings.Index(rest, w)
				require.GreaterOrEqual(t, i, 0, "summary %q lacks %q (in order)", m.Summary, w)
				rest = rest[i+len(w):]
			}
			require.Equal(t, tc.url, m.URL)
			if tc.agent != "" {
				require.Equal(t, tc.agent, m.Agent)
			}
			if tc.pkgs != nil {
				require.Equal(t, tc.pkgs, m.Packages())
			}
		})
	}
}

// detailCase is one message of a family's table test of long forms.
type detailCase struct {
	name  string
	topic string
	body  string
	want  []message.Detail
}

// checkDetails runs a table of detailCase, each in parallel: the long form is exactly want, and
// no detail repeats the summary.
func checkDetails(t *testing.T, cases []detailCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := extract(t, tc.topic, tc.body, nil)
			require.Equal(t, tc.want, m.Details, "summary %q", m.Summary)
			for _, d := range m.Details {
				require.NotEqual(t, m.Summary, d.Value, "detail %s repeats the summary", d.Label)
			}
		})
	}
}
