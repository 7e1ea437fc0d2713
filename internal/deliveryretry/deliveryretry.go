// Package deliveryretry holds the default schedules of the backend's delay-queue retries of email
// and IRC deliveries (FMN_EMAIL_RETRY_DELAYS, FMN_IRC_RETRY_DELAYS). A schedule also names the
// delay queues (rabbit.Topology.RetryQueue), so the load tool, which resets and drains them,
// reads the defaults here too.
package deliveryretry

import "time"

// Email returns the waits before the 1st, 2nd, … retry of an email's temporary failure: a
// notification is tried five times over about 36 minutes, then dead-lettered.
func Email() []time.Duration {
	return []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute}
}

// IRC returns the waits before the 1st, 2nd, … retry of an IRC line: a nick that is not online
// gets about two and a half hours to come back.
func IRC() []time.Duration {
	return []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}
}
