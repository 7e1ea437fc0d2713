package web

import (
	"net/http"

	"fmn/pkg/prefs"
	"fmn/pkg/rules"
)

// The pieces below are filled in as their packages land (OIDC, confirmation, preview, hits).

func (h *handler) preview(r *http.Request, u prefs.User, f rules.Filter) (any, error) {
	return nil, f.Validate()
}
