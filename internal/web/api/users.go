package api

import (
	"net/http"
	"strconv"

	"fmn/internal/web/auth"
	"fmn/internal/web/httperr"
	"fmn/internal/web/param"
	"fmn/pkg/prefs"
)

// Me returns the authenticated user.
func (h *Handler) Me(w http.ResponseWriter, r *http.Request) error {
	p := auth.PrincipalFrom(r.Context())
	if !p.IsUser() {
		return httperr.New(http.StatusNotFound, "the admin token is no user")
	}
	writeJSON(w, http.StatusOK, p.User)
	return nil
}

// CreateUser creates a user (administrators only): {"name", "email", "oidc_subject"}.
func (h *Handler) CreateUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		// OIDCSubject is the OpenID subject of the account's owner, when the operator knows it:
		// an account created before its first login is bound to none otherwise.
		OIDCSubject string `json:"oidc_subject"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, err := h.store.CreateUserWithSubject(r.Context(), in.Name, in.Email, in.OIDCSubject)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// GetUser returns the user of the path.
func (h *Handler) GetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// DeleteUser deletes the user of the path (themself, or anyone for an administrator). Their
// sessions and streams end everywhere first, so that nothing they hold outlives them (a failure
// there leaves the user in place, to try again); then the user goes with everything of theirs
// (pgstore.DeleteUser), then their replay stream, which a new user of the same name must not see.
func (h *Handler) DeleteUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r) // 404 for nobody, before anything is revoked
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := h.revocations.Revoke(ctx, u.Name, h.now()); err != nil {
		return err
	}
	if err := h.store.DeleteUser(ctx, u.Name); err != nil {
		return err
	}
	if err := h.revocations.ForgetStream(ctx, u.Name); err != nil {
		// The user is gone; their stream expires with its TTL (FMN_SSE_STREAM_TTL).
		h.logger.WarnContext(ctx, "delete the replay stream of a deleted user", "user", u.Name, "error", err)
	}
	p := auth.PrincipalFrom(ctx)
	h.logger.InfoContext(ctx, "user deleted", "user", u.Name, "by_admin", p.Admin && p.User.Name != u.Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// maxUsersPerPage bounds the administrators' user list.
const maxUsersPerPage = 200

// ListUsers lists users by name for administrators: q (a name prefix), after (the last name of the
// previous page), per_page (1..200, default 50).
func (h *Handler) ListUsers(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	n := defaultPerPage
	if s := v.Get("per_page"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 || n > maxUsersPerPage {
			return httperr.New(http.StatusBadRequest, "per_page must be an integer from 1 to "+strconv.Itoa(maxUsersPerPage))
		}
	}
	us, err := h.store.Users(r.Context(), v.Get("q"), v.Get("after"), n)
	if err != nil {
		return err
	}
	out := map[string]any{"users": us}
	if len(us) == n {
		out["next_after"] = us[len(us)-1].Name
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// user loads the user named in the path (auth.Guard.API has checked that the principal may act for
// them).
func (h *Handler) user(r *http.Request) (prefs.User, error) {
	if p := auth.PrincipalFrom(r.Context()); p.IsUser() && p.User.Name == r.PathValue("user") {
		return p.User, nil
	}
	return h.store.UserByName(r.Context(), r.PathValue("user"))
}

// userAndID loads the user named in the path and reads the {id} path value.
func (h *Handler) userAndID(r *http.Request) (prefs.User, int64, error) {
	id, err := param.PathID(r, "id")
	if err != nil {
		return prefs.User{}, 0, err
	}
	u, err := h.user(r)
	return u, id, err
}
