package consumer

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// start runs the consumer of cfg until the test ends and returns the base URL of its metrics
// listener.
func (b *testBundle) start(cfg Config) string {
	b.t.Helper()
	addr := make(chan string, 1)
	deps := Deps{Logger: b.logger, Registry: prometheus.NewPedanticRegistry(), Ready: func(a net.Addr) { addr <- "http://" + a.String() }}
	b.run(func(ctx context.Context) error { return Run(ctx, cfg, deps) })
	select {
	case u := <-addr:
		return u
	case <-time.After(waitFor):
		b.t.Fatal("the consumer did not start listening")
	}
	return ""
}

// get returns the status and body of a GET of url.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// Run puts the jobs together: a bus message is forwarded to the workers and archived, the
// process reports ready with its metrics, and it stops cleanly when its context ends (b.run).
func TestRunForwardsAndArchives(t *testing.T) {
	t.Parallel()
	b := setup(t)
	base := b.start(b.config())

	b.publishBus(delivery("run-1", "alice"))
	require.Equal(t, []string{"run-1"}, ids(b.nextWork(b.topo.WorkQueue)))
	require.Eventually(t, func() bool { return b.count(`SELECT count(*) FROM messages WHERE msg_id = 'run-1'`) == 1 },
		waitFor, 10*time.Millisecond, "archived")

	require.Eventually(t, func() bool { code, _ := get(t, base+"/readyz"); return code == http.StatusOK }, waitFor, 10*time.Millisecond)
	_, metrics := get(t, base+"/metrics")
	require.Contains(t, metrics, "fmn_consumer_forwarded_total 1")
	require.Contains(t, metrics, "fmn_consumer_ownership_changes_total 0")
}

// With archiving off, Run leaves the archive queue alone; its metrics are there all the same.
func TestRunWithoutArchive(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cfg := b.config()
	archiveQueue := cfg.Topology.ArchiveQueue
	cfg.Topology.ArchiveQueue = ""
	base := b.start(cfg)

	b.publishBus(delivery("noarch-1", "alice"))
	require.Equal(t, []string{"noarch-1"}, ids(b.nextWork(b.topo.WorkQueue)))
	require.Zero(t, b.depth(archiveQueue))
	require.Zero(t, b.count(`SELECT count(*) FROM messages`))
	_, metrics := get(t, base+"/metrics")
	require.Contains(t, metrics, "fmn_consumer_archived_total 0")
}
