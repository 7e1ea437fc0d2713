package ui

import (
	"net/http"

	"fmn/internal/queuestatus"
	"fmn/pkg/prefs"
)

// statusView is the status page: the queues by role, with the processes they imply.
type statusView struct {
	queuestatus.Snapshot
	Workers, Backends, Consumers int
	Backlog                      int
}

// AdminStatus shows the queues by role and the processes they imply.
func (h *Handler) AdminStatus(w http.ResponseWriter, r *http.Request, _ prefs.User) error {
	v := statusView{Snapshot: h.status()}
	for _, q := range v.Queues {
		switch q.Role {
		case queuestatus.RoleWork:
			v.Workers = q.Consumers
		case queuestatus.RoleBus:
			v.Consumers = q.Consumers
		case queuestatus.RoleDeliver:
			v.Backends = max(v.Backends, q.Consumers)
		}
		if q.Role != queuestatus.RoleDeadLetter {
			v.Backlog += q.Ready
		}
	}
	h.render(w, r, http.StatusOK, viewAdminStatus, view{Title: "Status", Nav: "admin", Data: v})
	return nil
}
