package corpus

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

func TestLoadDefaultDecodesEveryRecord(t *testing.T) {
	t.Parallel()
	recs, err := LoadDefault()
	require.NoError(t, err)
	require.Greater(t, len(recs), 500)
	for _, r := range recs {
		m, err := message.DecodeAMQP(r.AMQP(), 0)
		require.NoError(t, err, "record %s (%s)", r.ID, r.Topic)
		require.Equal(t, r.Topic, m.Topic)
		require.Equal(t, r.ID, m.ID)
	}
}

// The repository's copy is the team's corpus (shared/corpus beside the repository, on the team's
// machines and in CI) byte for byte: a record updated there must be copied here.
func TestRepositoryCopyMatchesTheTeamsCorpus(t *testing.T) {
	t.Parallel()
	root, err := RepoRoot()
	require.NoError(t, err)
	ours, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(Dir), FileName))
	require.NoError(t, err)
	teams, err := os.ReadFile(filepath.Join(filepath.Dir(root), "shared", "corpus", FileName))
	if errors.Is(err, fs.ErrNotExist) {
		// A clone elsewhere (a user's, make fresh-check's) has only the repository's copy:
		// there is nothing to compare it with.
		t.Logf("no shared/corpus beside %s; the repository's copy is the only one", root)
		return
	}
	require.NoError(t, err)
	require.True(t, bytes.Equal(ours, teams), "testdata/corpus/%s differs from shared/corpus/%s: copy the team's corpus into the repository", FileName, FileName)
}
