package web

import "net/http"

// deleteUser deletes the user of the path (themself, or anyone for an administrator). Their
// sessions and streams end everywhere first, so that nothing they hold outlives them (a failure
// there leaves the user in place, to try again); then the user goes with everything of theirs
// (pgstore.DeleteUser), then their replay stream, which a new user of the same name must not see.
func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r) // 404 for nobody, before anything is revoked
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := h.revocations.revoke(ctx, u.Name, h.now()); err != nil {
		return err
	}
	if err := h.store.DeleteUser(ctx, u.Name); err != nil {
		return err
	}
	if err := h.revocations.forgetStream(ctx, u.Name); err != nil {
		// The user is gone; their stream expires with its TTL (FMN_SSE_STREAM_TTL).
		h.logger.WarnContext(ctx, "delete the replay stream of a deleted user", "user", u.Name, "error", err)
	}
	p := principalOf(ctx)
	h.logger.InfoContext(ctx, "user deleted", "user", u.Name, "by_admin", p.admin && p.user.Name != u.Name)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
