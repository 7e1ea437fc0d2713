package web

import (
	"net/http"
	"strconv"
)

// pathID reads a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, &apiError{http.StatusBadRequest, name + " must be a positive integer"}
	}
	return id, nil
}
