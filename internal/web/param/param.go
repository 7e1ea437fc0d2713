// Package param reads typed values from a request's path and form, for the API and the pages.
package param

import (
	"net/http"
	"strconv"
	"strings"

	"fmn/internal/web/httperr"
)

// PathID reads a positive integer path value; otherwise it returns a 400 *httperr.Error.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, httperr.New(http.StatusBadRequest, name+" must be a positive integer")
	}
	return id, nil
}

// FormInt reads a positive integer form value; 0 when it is missing or not one.
func FormInt(r *http.Request, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
