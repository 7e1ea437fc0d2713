// Package notify holds what every delivery channel (email, IRC) shares: the Notifier a backend
// consumer drives, and the classification of delivery failures into permanent ones (dead-letter
// now) and temporary ones (retry later through a delay queue). One package per channel sits
// below it.
package notify

import (
	"context"
	"errors"

	"fmn/internal/wire"
)

// Notifier delivers notifications on one channel.
type Notifier interface {
	// Send delivers n once. A failure that retrying cannot fix is wrapped in *PermanentError;
	// any other error is temporary.
	Send(ctx context.Context, n wire.Notification) error
	// Check reports whether the notifier can reach its server (readiness).
	Check(ctx context.Context) error
}

// PermanentError marks a delivery failure that no retry can fix: a refused address, a message
// the server rejects.
type PermanentError struct {
	Err error
}

// Error implements error.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a permanent failure; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err is, or wraps, a permanent failure.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
