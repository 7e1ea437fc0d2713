package inspect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
)

// output is an output line, decoded loosely so missing keys show.
type output map[string]any

func run(t *testing.T, args []string, input string) []output {
	t.Helper()
	var stdout, stderr bytes.Buffer
	require.NoError(t, Run(context.Background(), args, strings.NewReader(input), &stdout, &stderr))
	var out []output
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var o output
		require.NoError(t, json.Unmarshal(sc.Bytes(), &o), "line %q", sc.Text())
		out = append(out, o)
	}
	return out
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	aliases := filepath.Join(dir, "aliases.json")
	require.NoError(t, os.WriteFile(aliases, []byte(`{"threebean":"ralph","rbean@redhat.com":"ralph"}`), 0o600))

	input := strings.Join([]string{
		// A corpus-style fedora-messaging record.
		`{"id":"a1","topic":"org.fedoraproject.prod.buildsys.build.state.change","body":{"owner":"ralph","name":"kernel","version":"5.1","release":"1.fc30","new":1,"build_id":7},"headers":{"fedora_messaging_severity":30},"sent_at":"2024-01-02T03:04:05Z"}`,
		// A fedmsg envelope, with an address that the aliases file maps.
		`{"topic":"org.fedoraproject.prod.bugzilla.bug.update","msg_id":"2014-x","timestamp":1389298512.0,"msg":{"event":{"who":"rbean@redhat.com"},"bug":{"id":1,"component":"rpm","cc":[]}}}`,
		``,
		// Not JSON: an error line, and Run goes on.
		`{"id":"b2", nope`,
		// JSON, but no topic: an error line with the id.
		`{"id":"c3","body":{}}`,
		// A corpus-style line carrying the fedmsg "msg".
		`{"id":"d4","topic":"org.fedoraproject.prod.meetbot.meeting.complete","msg":{"attendees":{"threebean":1},"channel":"#c"}}`,
	}, "\n")
	out := run(t, []string{"--aliases", aliases}, input)
	require.Len(t, out, 5)

	require.Equal(t, output{
		"id": "a1", "topic": "org.fedoraproject.prod.buildsys.build.state.change", "app": "koji", "agent": "ralph",
		"usernames": []any{"ralph"}, "packages": []any{"kernel"},
		"artifacts": []any{map[string]any{"type": "rpms", "name": "kernel"}},
		"severity":  float64(30), "summary": "ralph's kernel-5.1-1.fc30 build completed",
		"url": "https://koji.fedoraproject.org/koji/buildinfo?buildID=7",
	}, out[0])

	require.Equal(t, "2014-x", out[1]["id"])
	require.Equal(t, []any{"ralph"}, out[1]["usernames"])
	require.Equal(t, []any{"rpm"}, out[1]["packages"])

	require.Contains(t, out[2]["error"], "not a JSON message object")
	require.NotContains(t, out[2], "topic")

	require.Equal(t, "c3", out[3]["id"])
	require.Contains(t, out[3]["error"], "no topic")

	require.Equal(t, "d4", out[4]["id"])
	require.Equal(t, []any{"ralph"}, out[4]["usernames"])
	require.Equal(t, []any{}, out[4]["packages"])
	require.Equal(t, []any{}, out[4]["artifacts"])
}

func TestRunWithoutAliasesKeepsAddressesOut(t *testing.T) {
	t.Parallel()
	out := run(t, nil, `{"id":"x","topic":"org.fedoraproject.prod.bugzilla.bug.update","body":{"event":{"who":"rbean@redhat.com"},"bug":{"id":1}}}`)
	require.Len(t, out, 1)
	require.Equal(t, []any{}, out[0]["usernames"])
}

func TestRunCorpus(t *testing.T) {
	t.Parallel()
	p, err := corpus.Path()
	if err != nil {
		t.Skip(err)
	}
	raw, err := os.ReadFile(p)
	require.NoError(t, err)
	out := run(t, nil, string(raw))
	require.Len(t, out, bytes.Count(bytes.TrimSpace(raw), []byte("\n"))+1)
	for _, o := range out {
		require.NotContains(t, o, "error")
		require.NotEmpty(t, o["app"])
		require.NotEmpty(t, o["summary"])
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"--nope"}, strings.NewReader(""), &stdout, &stderr)
	require.Error(t, err)

	err = Run(context.Background(), []string{"--aliases", filepath.Join(t.TempDir(), "missing.json")}, strings.NewReader(""), &stdout, &stderr)
	require.ErrorIs(t, err, os.ErrNotExist)

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`["x"]`), 0o600))
	err = Run(context.Background(), []string{"--aliases", bad}, strings.NewReader(""), &stdout, &stderr)
	require.Error(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Run(ctx, nil, strings.NewReader(`{"id":"x"}`), &stdout, &stderr)
	require.ErrorIs(t, err, context.Canceled)
}

func TestRunLongLine(t *testing.T) {
	t.Parallel()
	long := `{"id":"big","topic":"t","body":{"x":"` + strings.Repeat("a", maxLine) + `"}}`
	out := run(t, nil, long+"\n"+`{"id":"after","topic":"org.fedoraproject.prod.copr.build.end","body":{"user":"fatka"}}`)
	require.Len(t, out, 2)
	require.Contains(t, out[0]["error"], "longer than")
	require.Equal(t, []any{"fatka"}, out[1]["usernames"])
}
