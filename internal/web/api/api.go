// Package api is the web app's JSON API (API.md): one file per resource (users, destinations
// and their confirmation, filters and their preview, API tokens, stream tokens, ownership, dead
// letters, the message history, the queue status). Its handlers return errors, which Fail
// renders as JSON; the route table and the authorization around each route are the web
// package's and auth's.
package api

import (
	"log/slog"
	"time"

	"fmn/internal/archive"
	"fmn/internal/confirm"
	"fmn/internal/deadletter"
	"fmn/internal/preview"
	"fmn/internal/queuestatus"
	"fmn/internal/ssetoken"
	"fmn/internal/web/auth"
	"fmn/internal/web/filterhits"
	"fmn/internal/web/redrive"
	"fmn/pkg/prefs/pgstore"
)

// Config is what the API needs to know.
type Config struct {
	// StreamURL is the backends' public /stream URL, returned with stream tokens (FMN_STREAM_URL).
	StreamURL string
	// StreamTokenTTL is how long a stream token is valid (FMN_STREAM_TOKEN_TTL).
	StreamTokenTTL time.Duration
}

// Deps are the API's collaborators.
type Deps struct {
	Logger *slog.Logger
	Now    func() time.Time
	Store  *pgstore.Store
	// Archive is the message history (GET /api/v1/messages).
	Archive *archive.Store
	// Signer issues stream tokens.
	Signer *ssetoken.Signer
	// Revocations end a deleted user's sessions and streams.
	Revocations *auth.Revocations
	// DeadLetters and Redriver list and re-drive the archived dead letters.
	DeadLetters *deadletter.Store
	Redriver    *redrive.Redriver
	// Confirmations send confirmation links and codes.
	Confirmations *confirm.Starter
	// Previews run filter previews within the user's preview rate.
	Previews *preview.Runner
	// Hits count the filters' recent matches.
	Hits *filterhits.Counter
	// StatusFunc returns the latest sample of the broker's queues.
	StatusFunc func() queuestatus.Snapshot
}

// Handler serves the API's routes.
type Handler struct {
	cfg           Config
	logger        *slog.Logger
	now           func() time.Time
	store         *pgstore.Store
	archive       *archive.Store
	signer        *ssetoken.Signer
	revocations   *auth.Revocations
	dead          *deadletter.Store
	redriver      *redrive.Redriver
	confirmations *confirm.Starter
	previews      *preview.Runner
	hits          *filterhits.Counter
	status        func() queuestatus.Snapshot
}

// New returns the API's handler.
func New(cfg Config, deps Deps) *Handler {
	return &Handler{cfg: cfg, logger: deps.Logger, now: deps.Now, store: deps.Store, archive: deps.Archive,
		signer: deps.Signer, revocations: deps.Revocations, dead: deps.DeadLetters, redriver: deps.Redriver,
		confirmations: deps.Confirmations, previews: deps.Previews, hits: deps.Hits, status: deps.StatusFunc}
}
