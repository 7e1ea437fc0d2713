package oidclogin_test

import (
	"context"
	"errors"
	"net/http"
	"os"

	"fmn/internal/config"
	"fmn/internal/oidclogin"
)

// The web app's side of a login, with a map standing in for the session store.
func Example() {
	r := config.NewReader(os.LookupEnv)
	cfg := oidclogin.ReadConfig(r)
	if r.Err() != nil || !cfg.Enabled() {
		return
	}
	client, err := oidclogin.New(context.Background(), cfg) // at startup: discovery
	if err != nil {
		return
	}
	session := map[string]oidclogin.Pending{}

	// GET /login
	http.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		authURL, pending := client.Begin()
		session["oidc"] = pending
		http.Redirect(w, r, authURL, http.StatusFound)
	})
	// GET /auth/callback (oidclogin.CallbackPath)
	http.HandleFunc("GET "+oidclogin.CallbackPath, func(w http.ResponseWriter, r *http.Request) {
		pending := session["oidc"]
		delete(session, "oidc") // one Finish per Begin
		id, err := client.Finish(r.Context(), r.URL.Query(), pending)
		var pe *oidclogin.ProviderError
		switch {
		case errors.Is(err, oidclogin.ErrState):
			http.Error(w, "this login expired; please start again", http.StatusBadRequest)
		case errors.As(err, &pe):
			http.Error(w, "the identity provider refused the login", http.StatusForbidden)
		case errors.Is(err, oidclogin.ErrUsername):
			http.Error(w, "your account has no usable user name", http.StatusForbidden)
		case err != nil:
			http.Error(w, "login failed", http.StatusBadGateway)
		default:
			_ = id.Username // find or create the fmn user, renew the session token, log in
		}
	})
}
