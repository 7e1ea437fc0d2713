package recent_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/recent"
	"fmn/internal/redistest"
	"fmn/pkg/message"
)

func TestWindowKeepsTheLatestAndFindsByID(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.Client(t)
	s := recent.NewStore(rdb, prefix, 50)
	ctx := t.Context()
	for b := range 10 {
		var batch []message.Message
		for i := range 20 {
			n := b*20 + i
			batch = append(batch, message.Message{ID: fmt.Sprintf("m%d", n), Topic: "t", Usernames: []string{"alice"},
				Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "kernel"}}, Body: json.RawMessage(`{"n":1}`),
				Headers: map[string]any{"x": "y"}})
		}
		require.NoError(t, s.Append(ctx, batch))
	}
	got, err := s.Latest(ctx, 1000)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(got), 50, "approximate trimming keeps at least the size")
	require.Less(t, len(got), 200, "and trims")
	require.Equal(t, "m199", got[0].ID, "newest first")
	require.Equal(t, []string{"alice"}, got[0].Usernames, "extracted fields are kept")
	require.JSONEq(t, `{"n":1}`, string(got[0].Body))
	require.Nil(t, got[0].Headers)

	m, err := s.Find(ctx, "m190")
	require.NoError(t, err)
	require.Equal(t, "m190", m.ID)
	_, err = s.Find(ctx, "m0")
	require.ErrorIs(t, err, recent.ErrNotFound, "trimmed away")
	_, err = s.Find(ctx, "never")
	require.ErrorIs(t, err, recent.ErrNotFound)

	big := message.Message{ID: "big", Body: json.RawMessage(`"` + strings.Repeat("x", recent.MaxBodyBytes) + `"`)}
	require.NoError(t, s.Append(ctx, []message.Message{big}))
	m, err = s.Find(ctx, "big")
	require.NoError(t, err)
	require.Empty(t, m.Body, "an oversized body is left out")
	require.NotEmpty(t, big.Body, "the caller's message is untouched")
}
