package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"fmn/internal/web/httperr"

	"github.com/stretchr/testify/require"
)

// FuzzDecodeFilter: a filter sent to the API either is refused with a 400 that says why, or
// decodes into a filter whose validation (what the store runs before saving) answers without
// panicking.
func FuzzDecodeFilter(f *testing.F) {
	for _, s := range []string{
		`{"name":"mine","destinations":[1],"conditions":[{"field":"user","values":["@me"]}]}`,
		`{"name":"x","enabled":false,"one_shot":true,"conditions":[{"field":"body","op":"regex","path":"a.b[0]","values":["^(a|b)+$"]}]}`,
		`{"name":"x","conditions":[{"field":"topic","op":"glob","values":["org.*.bodhi.**"],"negate":true}]}`,
		`{"name":"x","unknown":1}`, `{"name":"x"} {"name":"y"}`, `[]`, `null`, `{"conditions":[{"field":"owned","values":["@my_groups"],"artifact_type":"rpms"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/users/alice/filters", bytes.NewReader(body))
		flt, err := decodeFilter(r)
		if err != nil {
			var ae *httperr.Error
			require.True(t, errors.As(err, &ae), "%T: %v", err, err)
			require.Equal(t, http.StatusBadRequest, ae.Status)
			require.NotEmpty(t, ae.Msg)
			return
		}
		if err := flt.Validate(); err != nil {
			require.NotEmpty(t, err.Error())
		}
	})
}
