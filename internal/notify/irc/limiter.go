package irc

import "time"

// Limiter is a token bucket of outgoing lines: Rate lines a second on average, up to Burst at
// once. The owner goroutine of a Bot asks it before every line; it is not safe for concurrent use.
type Limiter struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

// NewLimiter returns a full bucket as of now. rate <= 0 means no limit.
func NewLimiter(rate float64, burst int, now time.Time) *Limiter {
	b := float64(max(burst, 1))
	return &Limiter{rate: rate, burst: b, tokens: b, last: now}
}

// Reserve takes a token for one line at now and returns how long to wait before sending it
// (zero when a token was available). Waits add up: reserving twice in a row on an empty bucket
// returns 1/rate and then 2/rate.
func (l *Limiter) Reserve(now time.Time) time.Duration {
	if l.rate <= 0 {
		return 0
	}
	if now.After(l.last) {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
		l.last = now
	}
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.rate * float64(time.Second))
}
