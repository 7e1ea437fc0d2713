// Package ui is the web app's HTML face: one file per page (filters, the filter editor,
// destinations, API tokens, live, why, confirm, mute, the admin status, users and dead letters,
// home and the API documentation, errors). Pages are html/template views in templates/views,
// each inside templates/layout, embedded and parsed when the Handler is built (New fails on a
// view a handler names that has no template, so none is first missed at request time); static
// files are served under content-hash URLs with long cache lifetimes. The route table and the
// login around each page are the web package's and auth's.
package ui

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"

	"fmn/internal/archive"
	"fmn/internal/confirm"
	"fmn/internal/deadletter"
	"fmn/internal/mutetoken"
	"fmn/internal/preview"
	"fmn/internal/queuestatus"
	"fmn/internal/web/auth"
	"fmn/internal/web/filterhits"
	"fmn/internal/web/redrive"
	"fmn/pkg/prefs/pgstore"
)

// perPage is the page size of the admin lists (the API's default page size too).
const perPage = 50

// Config is what the pages need to know.
type Config struct {
	// PublicURL is where people reach the web app (FMN_PUBLIC_URL), shown on the tokens page.
	PublicURL string
	// DevLogin offers the development login on the login page (FMN_WEB_DEV_LOGIN).
	DevLogin bool
	// OIDC offers the OpenID provider's login on the login page (FMN_OIDC_ISSUER set).
	OIDC bool
	// APIDoc is the API's documentation (API.md), shown at /api.
	APIDoc string
}

// Deps are the pages' collaborators.
type Deps struct {
	Logger *slog.Logger
	Now    func() time.Time
	Store  *pgstore.Store
	// Auth finds who is asking on the public pages (home, login, the API documentation).
	Auth *auth.Auth
	// Sessions carry the one-time flash message between a form post and the next page.
	Sessions *scs.SessionManager
	// Archive is the message history ("why did I get this").
	Archive *archive.Store
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
	// Muter verifies mute links; nil when FMN_MUTE_SECRET is unset (no /mute routes).
	Muter *mutetoken.Signer
}

// Handler serves the pages.
type Handler struct {
	cfg           Config
	logger        *slog.Logger
	now           func() time.Time
	store         *pgstore.Store
	auth          *auth.Auth
	sessions      *scs.SessionManager
	archive       *archive.Store
	dead          *deadletter.Store
	redriver      *redrive.Redriver
	confirmations *confirm.Starter
	previews      *preview.Runner
	hits          *filterhits.Counter
	status        func() queuestatus.Snapshot
	muter         *mutetoken.Signer
	engine        *engine
	static        *static
}

// New returns the pages' handler, with every view parsed and every static file hashed: an
// error names a view without its template (or a template no view declares), or one that does
// not parse.
func New(cfg Config, deps Deps) (*Handler, error) {
	st, err := newStatic(staticFS)
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	eng, err := newEngine(templateFS, st)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return &Handler{cfg: cfg, logger: deps.Logger, now: deps.Now, store: deps.Store, auth: deps.Auth,
		sessions: deps.Sessions, archive: deps.Archive, dead: deps.DeadLetters, redriver: deps.Redriver,
		confirmations: deps.Confirmations, previews: deps.Previews, hits: deps.Hits, status: deps.StatusFunc,
		muter: deps.Muter, engine: eng, static: st}, nil
}
