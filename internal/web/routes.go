package web

import (
	"net/http"

	"fmn/internal/web/auth"
)

// routeMux is where routes are registered: the server's http.ServeMux, or a recorder listing them
// (RoutePatterns). It has no HandleFunc on purpose: every route goes through one of the Guard's
// wrappers (API, Page, Public, PublicPage), which all count it against a rate limit.
type routeMux interface {
	Handle(pattern string, handler http.Handler)
}

// patternRecorder is a routeMux that only records the patterns.
type patternRecorder []string

// Handle records pattern.
func (p *patternRecorder) Handle(pattern string, _ http.Handler) { *p = append(*p, pattern) }

// RoutePatterns lists every route of the web app ("METHOD /path/{param}"), including the one-click
// mute routes, so that tests can check they cover them all (the authorization matrix).
func RoutePatterns() []string {
	var rec patternRecorder
	(&site{guard: auth.NewGuard(nil, nil, nil), mute: true}).routes(&rec)
	return rec
}

// routes is the whole route table: the JSON API under /api/v1 (API.md), then the pages. Every
// state change of a page is a POST (CrossOriginProtection guards them all); GETs change nothing.
func (s *site) routes(mux routeMux) {
	g, a, u, l := s.guard, s.api, s.ui, s.login
	api := func(pattern string, fn auth.APIFunc) { mux.Handle(pattern, g.API(false, fn)) }
	apiAdmin := func(pattern string, fn auth.APIFunc) { mux.Handle(pattern, g.API(true, fn)) }
	page := func(pattern string, fn auth.PageFunc) { mux.Handle(pattern, g.Page(false, fn)) }
	pageAdmin := func(pattern string, fn auth.PageFunc) { mux.Handle(pattern, g.Page(true, fn)) }
	public := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, g.Public(fn)) }
	publicPage := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, g.PublicPage(fn)) }

	// The API: users.
	apiAdmin("POST /api/v1/users", a.CreateUser)
	api("GET /api/v1/me", a.Me)
	api("GET /api/v1/users/{user}", a.GetUser)
	api("DELETE /api/v1/users/{user}", a.DeleteUser)
	apiAdmin("GET /api/v1/admin/users", a.ListUsers)
	// Destinations and their confirmation. POST /api/v1/confirm takes the secret of an emailed
	// link, which is the authority: no login.
	api("POST /api/v1/users/{user}/destinations", a.CreateDestination)
	api("GET /api/v1/users/{user}/destinations", a.ListDestinations)
	api("PATCH /api/v1/users/{user}/destinations/{id}", a.UpdateDestination)
	api("DELETE /api/v1/users/{user}/destinations/{id}", a.DeleteDestination)
	api("POST /api/v1/users/{user}/destinations/{id}/confirm", a.ConfirmDestination)
	api("POST /api/v1/users/{user}/destinations/{id}/send-confirmation", a.SendConfirmation)
	public("POST /api/v1/confirm", a.ConfirmBySecret)
	// Filters.
	api("POST /api/v1/users/{user}/filters", a.CreateFilter)
	api("GET /api/v1/users/{user}/filters", a.ListFilters)
	api("POST /api/v1/users/{user}/filters/preview", a.PreviewFilter)
	api("GET /api/v1/users/{user}/filters/{id}", a.GetFilter)
	api("PUT /api/v1/users/{user}/filters/{id}", a.UpdateFilter)
	api("DELETE /api/v1/users/{user}/filters/{id}", a.DeleteFilter)
	// Tokens: the SSE stream's and the API's.
	api("POST /api/v1/users/{user}/stream-token", a.StreamToken)
	api("GET /api/v1/users/{user}/tokens", a.ListTokens)
	api("POST /api/v1/users/{user}/tokens", a.CreateToken)
	api("DELETE /api/v1/users/{user}/tokens/{id}", a.DeleteToken)
	// Operators: the queues, ownership, dead letters.
	apiAdmin("GET /api/v1/admin/status", a.GetStatus)
	apiAdmin("POST /api/v1/ownership", a.ApplyOwnership)
	apiAdmin("GET /api/v1/admin/dead-letters", a.ListDeadLetters)
	apiAdmin("GET /api/v1/admin/dead-letters/{id}", a.GetDeadLetter)
	apiAdmin("POST /api/v1/admin/dead-letters/{id}/redrive", a.RedriveDeadLetter)
	apiAdmin("DELETE /api/v1/admin/dead-letters/{id}", a.DeleteDeadLetter)
	// The message history: public, like datagrepper.
	public("GET /api/v1/messages", a.ListMessages)
	public("GET /api/v1/messages/{id}", a.GetMessage)

	// Pages anyone may open, and logging in and out.
	publicPage("GET /static/", u.Static)
	publicPage("GET /{$}", u.Home)
	publicPage("GET /api", u.APIDoc)
	publicPage("GET /login", u.LoginPage)
	publicPage("POST /login/dev", l.DevLogin)
	publicPage("GET /login/oidc", l.OIDCLogin)
	publicPage("GET /auth/callback", l.OIDCCallback)
	publicPage("POST /logout", l.Logout)
	page("POST /logout/everywhere", l.LogoutEverywhere)
	// The one-click mute links of emails: the signed token is the authority (served when
	// FMN_MUTE_SECRET is set).
	if s.mute {
		publicPage("GET /mute", u.MuteForm)
		publicPage("POST /mute", u.Mute)
	}

	page("GET /filters", u.Filters)
	page("GET /filters/new", u.NewFilter)
	page("POST /filters/new", u.SaveFilter)
	page("GET /filters/{id}", u.EditFilter)
	page("POST /filters/{id}", u.SaveFilter)
	page("POST /filters/{id}/enable", u.EnableFilter)
	page("POST /filters/{id}/disable", u.EnableFilter)
	page("POST /filters/{id}/delete", u.DeleteFilter)
	page("GET /why", u.Why)

	page("GET /destinations", u.Destinations)
	page("POST /destinations", u.AddDestination)
	page("POST /destinations/{id}", u.UpdateDestination)
	page("POST /destinations/{id}/delete", u.DeleteDestination)
	page("POST /destinations/{id}/confirm", u.ConfirmCode)
	page("POST /destinations/{id}/send-confirmation", u.ResendConfirmation)
	// The emailed link: its secret is the authority, no login needed. GET only shows a button
	// (mail scanners open links); the POST confirms.
	publicPage("GET /confirm/{secret}", u.ConfirmLink)
	publicPage("POST /confirm/{secret}", u.ConfirmLink)

	page("GET /tokens", u.Tokens)
	page("POST /tokens", u.CreateToken)
	page("POST /tokens/{id}/delete", u.DeleteToken)

	page("GET /live", u.Live)
	page("POST /live/token", a.WriteStreamToken) // the Live page's script asks for a stream token

	pageAdmin("GET /admin/status", u.AdminStatus)
	pageAdmin("GET /admin/users", u.AdminUsers)
	pageAdmin("GET /admin/dead-letters", u.AdminDeadLetters)
	pageAdmin("POST /admin/dead-letters/{id}/redrive", u.AdminRedrive)
	pageAdmin("POST /admin/dead-letters/{id}/delete", u.AdminDeleteDeadLetter)
}
