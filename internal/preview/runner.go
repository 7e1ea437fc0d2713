package preview

import (
	"context"
	"time"

	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// A Runner looks at the archive's latest Window messages of the last Days days.
const (
	Window = 5000
	Days   = 7
)

// Ownership gives the ownership and memberships a user's filters need; *pgstore.Store is one.
type Ownership interface {
	OwnershipFor(ctx context.Context, user string, fs []rules.Filter) (rules.Snapshot, error)
}

// Archive gives the latest archived messages; *archive.Store is one.
type Archive interface {
	Latest(ctx context.Context, since time.Time, limit int) ([]message.Message, error)
}

// LimitFunc counts one preview run of user's and refuses it (with an error) past their rate.
type LimitFunc func(ctx context.Context, user string) error

// Runner runs previews of filters over the latest archived messages, for the API and the filter
// editor alike.
type Runner struct {
	ownership Ownership
	archive   Archive
	limit     LimitFunc
	now       func() time.Time
}

// NewRunner returns a Runner reading ownership and the archive, within the rate limit allows.
func NewRunner(ownership Ownership, archive Archive, limit LimitFunc, now func() time.Time) *Runner {
	return &Runner{ownership: ownership, archive: archive, limit: limit, now: now}
}

// Run evaluates user's filter f (saved or not) over the latest messages. f is validated first
// (a *rules.ValidationError), then the run is counted against the user's rate (limit's error).
func (p *Runner) Run(ctx context.Context, user string, f rules.Filter) (Result, error) {
	f.User = user
	if err := f.Validate(); err != nil {
		return Result{}, err
	}
	if err := p.limit(ctx, user); err != nil {
		return Result{}, err
	}
	own, err := p.ownership.OwnershipFor(ctx, user, []rules.Filter{f})
	if err != nil {
		return Result{}, err
	}
	msgs, err := p.archive.Latest(ctx, p.now().AddDate(0, 0, -Days), Window)
	if err != nil {
		return Result{}, err
	}
	return Run(f, own, msgs, p.now())
}
