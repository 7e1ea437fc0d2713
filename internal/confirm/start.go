package confirm

import (
	"context"
	"errors"
	"fmt"

	"fmn/pkg/prefs"
)

// Beginner begins confirmations; *pgstore.Store is one.
type Beginner interface {
	BeginConfirmation(ctx context.Context, u prefs.User, destinationID int64) (prefs.Confirmation, error)
}

// Starter begins a destination's confirmation and sends its link or code: what the API's
// send-confirmation route and the destinations page both do.
type Starter struct {
	store  Beginner
	sender *Sender
}

// NewStarter returns a Starter beginning confirmations in store and sending them with sender
// (nil when the process has no broker: Start then fails).
func NewStarter(store Beginner, sender *Sender) *Starter {
	return &Starter{store: store, sender: sender}
}

// Start begins a confirmation of d, user u's destination, and sends its link or code.
func (s *Starter) Start(ctx context.Context, u prefs.User, d prefs.Destination) error {
	if s.sender == nil {
		return errors.New("confirmations cannot be sent: no broker")
	}
	c, err := s.store.BeginConfirmation(ctx, u, d.ID)
	if err != nil {
		return err
	}
	if err := s.sender.Send(ctx, u, d, c); err != nil {
		return fmt.Errorf("send confirmation: %w", err)
	}
	return nil
}
