package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"fmn/internal/mutetoken"
	"fmn/pkg/prefs"
)

// The mute pages answer the List-Unsubscribe links of notification emails (RFC 8058): a mail
// client's one-click unsubscribe POSTs to the link, and a person who opens it in a browser gets
// a page with a button that does the same. GET never changes anything, so link scanners that
// prefetch it mute nothing. The signed token is the authorisation: it names the user and the
// filters that sent the email.

var muteTemplate = template.Must(template.New("mute").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Mute notifications — fmn</title></head>
<body>
{{- if .Form}}
<p>Stop the notifications of the filter{{if gt .Count 1}}s{{end}} that sent this email?</p>
<form method="post" action="{{.Action}}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Mute</button></form>
{{- else}}
<p>{{.Message}}</p>
{{- end}}
</body></html>
`))

type muteView struct {
	Form    bool
	Action  string
	Count   int
	Message string
}

// muteForm shows the confirmation page of a mute link.
func (h *handler) muteForm(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	_, filters, err := h.muter.Verify(tok)
	if err != nil {
		h.mutePage(w, http.StatusBadRequest, muteView{Message: "This mute link is not valid."})
		return
	}
	h.mutePage(w, http.StatusOK, muteView{Form: true, Action: "/mute?token=" + url.QueryEscape(tok), Count: len(filters)})
}

// mute disables the filters a mute token names.
func (h *handler) mute(w http.ResponseWriter, r *http.Request) {
	user, filters, err := h.muter.Verify(r.URL.Query().Get("token"))
	if err != nil {
		h.mutePage(w, http.StatusBadRequest, muteView{Message: "This mute link is not valid."})
		return
	}
	u, err := h.store.UserByName(r.Context(), user)
	if errors.Is(err, prefs.ErrNotFound) {
		h.mutePage(w, http.StatusNotFound, muteView{Message: "This account no longer exists."})
		return
	}
	if err != nil {
		h.logger.ErrorContext(r.Context(), "mute: look up user", "error", err)
		h.mutePage(w, http.StatusInternalServerError, muteView{Message: "Something went wrong; please try again later."})
		return
	}
	n, err := h.store.DisableFilters(r.Context(), u, filters)
	if err != nil {
		h.logger.ErrorContext(r.Context(), "mute: disable filters", "error", err)
		h.mutePage(w, http.StatusInternalServerError, muteView{Message: "Something went wrong; please try again later."})
		return
	}
	h.logger.InfoContext(r.Context(), "filters muted from an email", "disabled", n)
	h.mutePage(w, http.StatusOK, muteView{Message: "Muted. You can turn these notifications on again in your settings."})
}

func (h *handler) mutePage(w http.ResponseWriter, status int, v muteView) {
	var b bytes.Buffer
	if err := muteTemplate.Execute(&b, v); err != nil {
		h.logger.Error("render mute page", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// newMuter returns the mute token verifier, or nil when no secret is configured.
func newMuter(cfg Config) (*mutetoken.Signer, error) {
	if cfg.MuteSecret.Value() == "" {
		return nil, nil
	}
	return mutetoken.NewSigner([]byte(cfg.MuteSecret.Value()))
}
