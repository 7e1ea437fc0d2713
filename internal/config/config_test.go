package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func lookup(m map[string]string) LookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	s := Secret("hunter2")
	require.NotContains(t, fmt.Sprint(s), "hunter2")
	b, err := json.Marshal(struct{ S Secret }{s})
	require.NoError(t, err)
	require.NotContains(t, string(b), "hunter2")
	u := URL("amqp://guest:topsecret@host:5672/")
	require.NotContains(t, fmt.Sprint(u), "topsecret")
	b, err = json.Marshal(u)
	require.NoError(t, err)
	require.NotContains(t, string(b), "topsecret")
}

func TestReaderCollectsEveryProblem(t *testing.T) {
	t.Parallel()
	r := NewReader(lookup(map[string]string{"A": "x", "B": "soon", "C": "maybe", "FMN_LOG_LEVEL": "loud"}))
	require.Equal(t, 3, r.Int("A", 3))
	require.Equal(t, time.Second, r.Duration("B", time.Second))
	require.True(t, r.Bool("C", true))
	ReadLog(r)
	err := r.Err()
	for _, k := range []string{"A:", "B:", "C:", "FMN_LOG_LEVEL:"} {
		require.ErrorContains(t, err, k)
	}
}

func TestSecretFromFileAndBatch(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "s")
	require.NoError(t, os.WriteFile(p, []byte("from-file\n"), 0o600))
	r := NewReader(lookup(map[string]string{"S_FILE": p, "X_PREFETCH": "2", "X_BATCH": "4"}))
	require.Equal(t, "from-file", r.Secret("S", "").Value())
	ReadBatch(r, "X", Batch{Prefetch: 8, MaxBatch: 4})
	require.ErrorContains(t, r.Err(), "X_PREFETCH")
}
