package web

import (
	"net/http"
	"strconv"
)

func (h *handler) listTokens(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ts, err := h.store.APITokens(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": ts})
	return nil
}

// createToken creates an API token; the answer holds its secret, shown this once.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, secret, err := h.store.CreateAPIToken(r.Context(), u, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "name": t.Name, "created_at": t.CreatedAt, "token": secret})
	return nil
}

func (h *handler) deleteToken(w http.ResponseWriter, r *http.Request) error {
	u, id, err := h.userAndID(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteAPIToken(r.Context(), u, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// maxUsersPerPage bounds the administrators' user list.
const maxUsersPerPage = 200

// listUsers lists users by name for administrators: q (a name prefix), after (the last name of the
// previous page), per_page (1..200, default 50).
func (h *handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	n := defaultPerPage
	if s := v.Get("per_page"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 || n > maxUsersPerPage {
			return &apiError{http.StatusBadRequest, "per_page must be an integer from 1 to " + strconv.Itoa(maxUsersPerPage)}
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
