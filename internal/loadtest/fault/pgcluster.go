package fault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"fmn/internal/childproc"
)

// pgCluster is a PostgreSQL cluster of Debian's postgresql-common (pg_createcluster), trusting
// loopback connections, on a port of its own.
type pgCluster struct {
	version, name string
	port          int
}

// createCluster creates and starts the cluster name with the newest installed PostgreSQL.
func createCluster(ctx context.Context, name string) (*pgCluster, error) {
	vers, err := os.ReadDir("/etc/postgresql")
	if err != nil {
		return nil, fmt.Errorf("fault services: no PostgreSQL in /etc/postgresql (postgresql-common): %w", err)
	}
	if len(vers) == 0 {
		return nil, errors.New("fault services: no PostgreSQL in /etc/postgresql (postgresql-common)")
	}
	names := make([]string, 0, len(vers))
	for _, v := range vers {
		names = append(names, v.Name())
	}
	slices.SortFunc(names, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	c := &pgCluster{version: names[len(names)-1], name: name}
	if _, err := os.Stat(filepath.Join("/etc/postgresql", c.version, name)); err == nil {
		c.drop(ctx) // left by a run that was killed
	}
	if c.port, err = childproc.FreePort(); err != nil {
		return nil, err
	}
	if err := command(ctx, "pg_createcluster", c.version, name, "-p", strconv.Itoa(c.port), "--", "--auth=trust"); err != nil {
		return nil, err
	}
	return c, c.start(ctx)
}

// url is the maintenance database's URL.
func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) start(ctx context.Context) error {
	return command(ctx, "pg_ctlcluster", c.version, c.name, "start")
}

// stop shuts the cluster down at once (fast mode: sessions are disconnected).
func (c *pgCluster) stop(ctx context.Context) error {
	return command(ctx, "pg_ctlcluster", c.version, c.name, "stop", "-m", "fast")
}

// drop stops and removes the cluster, even after ctx ends (it is a cleanup).
func (c *pgCluster) drop(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_ = command(ctx, "pg_dropcluster", "--stop", c.version, c.name)
}

// command runs a program and returns an error with its output if it fails.
func command(ctx context.Context, name string, args ...string) error {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
