package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Chaos kills a random one of a phase's fmn processes with SIGKILL at a fixed interval and
// restarts it, until Stop.
type Chaos struct {
	cancel context.CancelFunc
	done   chan error
	kills  map[string]int // by kind: the process's name before its dash
}

// StartChaos kills a random one of targets every interval and restarts it; logf gets a line per
// kill.
func StartChaos(ctx context.Context, every time.Duration, targets []Target, logf func(string, ...any)) *Chaos {
	ctx, cancel := context.WithCancel(ctx)
	c := &Chaos{cancel: cancel, done: make(chan error, 1), kills: map[string]int{}}
	go func() { c.done <- c.run(ctx, every, targets, logf) }()
	return c
}

func (c *Chaos) run(ctx context.Context, every time.Duration, targets []Target, logf func(string, ...any)) error {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		p := targets[rnd.IntN(len(targets))]
		kind, _, _ := strings.Cut(p.Name(), "-")
		// Not ctx: a restart, once begun, must finish, or the phase would end one process short.
		if err := p.KillAndRestart(context.WithoutCancel(ctx), restartTimeout); err != nil {
			return fmt.Errorf("chaos: %s did not come back: %w", p.Name(), err)
		}
		c.kills[kind]++
		logf("chaos: killed and restarted %s", p.Name())
	}
}

// Stop ends the kills, waits for the last restart, and returns the kills by kind; the error
// reports a process that did not come back.
func (c *Chaos) Stop() (map[string]int, error) {
	c.cancel()
	err := <-c.done
	return c.kills, err
}
