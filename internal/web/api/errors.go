package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"fmn/internal/archive"
	"fmn/internal/web/httperr"
	"fmn/internal/web/limit"
	"fmn/pkg/prefs"
)

// Fail renders err as JSON: {"error": text}, with the parameter or quota it is about, and
// Retry-After when it calls for one.
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) {
	limit.SetRetryAfter(w, err)
	status, msg := httperr.Classify(h.logger, r, err)
	body := map[string]any{"error": msg}
	if pe := (*archive.ParamError)(nil); errors.As(err, &pe) {
		body["param"] = pe.Param
	}
	if qe := (*prefs.QuotaError)(nil); errors.As(err, &qe) {
		body["quota"], body["limit"] = qe.Quota, qe.Limit
	}
	writeJSON(w, status, body)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body strictly.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return httperr.New(http.StatusBadRequest, "invalid JSON body: "+err.Error())
	}
	return nil
}
