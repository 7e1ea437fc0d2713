// Package fault is the load tool's fault suite: the faults a run injects while the pipeline works
// (an fmn process killed with SIGKILL and restarted, RabbitMQ restarted, PostgreSQL or Redis
// stopped for a while, the SMTP server refusing, the IRC server restarting), the services of the
// run's own that it may stop (Services), how long each took to recover (Injector), and the random
// chaos kills (StartChaos).
package fault

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The kinds of fault a run can inject.
const (
	// Worker, Backend and Consumer kill that fmn process (a random worker) with SIGKILL and
	// restart it.
	Worker   = "worker"
	Backend  = "backend"
	Consumer = "consumer"
	// RabbitMQ restarts the broker (Injector.RestartBroker).
	RabbitMQ = "rabbitmq"
	// Postgres and Redis stop that server for the fault's duration, then start it.
	Postgres = "postgres"
	Redis    = "redis"
	// SMTP makes the SMTP server refuse (421) for the fault's duration.
	SMTP = "smtp"
	// IRC restarts the IRC server.
	IRC = "irc"
)

// Fault is one fault to inject.
type Fault struct {
	Kind string `json:"kind"`
	// For is how long the service stays down (postgres, redis, smtp).
	For time.Duration `json:"for,omitempty"`
}

// defaultFor is how long a timed fault lasts by default (issue #10's figures); timed reports
// whether the kind takes a duration at all.
func defaultFor(kind string) (d time.Duration, timed bool) {
	switch kind {
	case Postgres, Redis:
		return 10 * time.Second, true
	case SMTP:
		return 30 * time.Second, true
	}
	return 0, false
}

// kinds lists the kinds in the order of the full suite. The SMTP refusal comes last: it is the
// longest, and the retries it causes wait longest.
func kinds() []string {
	return []string{Worker, Backend, Consumer, RabbitMQ, Postgres, Redis, IRC, SMTP}
}

// All is the full suite: every kind once, in order, with the default durations.
func All() []Fault {
	ks := kinds()
	out := make([]Fault, 0, len(ks))
	for _, k := range ks {
		d, _ := defaultFor(k)
		out = append(out, Fault{Kind: k, For: d})
	}
	return out
}

// Parse reads "all" or a comma-separated list of kinds, each timed one optionally with
// "=duration" (postgres=10s,smtp=30s,irc).
func Parse(s string) ([]Fault, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if s == "all" {
		return All(), nil
	}
	var out []Fault
	for _, part := range strings.Split(s, ",") {
		kind, dur, given := strings.Cut(strings.TrimSpace(part), "=")
		if !slices.Contains(kinds(), kind) {
			return nil, fmt.Errorf("fault %q: not one of %s (or all)", kind, strings.Join(kinds(), ", "))
		}
		d, timed := defaultFor(kind)
		f := Fault{Kind: kind, For: d}
		if given {
			if !timed {
				return nil, fmt.Errorf("fault %q takes no duration", kind)
			}
			d, err := time.ParseDuration(dur)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("fault %s: %q is not a positive duration", kind, dur)
			}
			f.For = d
		}
		out = append(out, f)
	}
	return out, nil
}

// channelOf is the sink whose progress shows that the pipeline recovered from a fault: the
// channel the faulty part serves (PostgreSQL serves the delivery ledger of email and IRC).
func channelOf(kind string) string {
	switch kind {
	case Postgres, SMTP:
		return "email"
	case IRC:
		return "irc"
	}
	return "sse"
}
