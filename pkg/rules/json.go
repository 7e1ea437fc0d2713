package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxFilterJSON is the largest JSON form of one filter ParseFilter accepts, in bytes.
const MaxFilterJSON = 256 << 10

// ParseFilter decodes the JSON form of a filter strictly (unknown keys, trailing data and
// documents over MaxFilterJSON are refused) and validates it. A decoding error wraps the
// encoding/json error; a validation error is a *ValidationError.
func ParseFilter(data []byte) (Filter, error) {
	var f Filter
	if err := decodeStrict(data, &f); err != nil {
		return Filter{}, fmt.Errorf("decode filter: %w", err)
	}
	if err := f.Validate(); err != nil {
		return Filter{}, err
	}
	return f, nil
}

// ParseConditions decodes the JSON form of a list of conditions strictly, like ParseFilter, and
// validates it with ValidateConditions.
func ParseConditions(data []byte) ([]Condition, error) {
	var cs []Condition
	if err := decodeStrict(data, &cs); err != nil {
		return nil, fmt.Errorf("decode conditions: %w", err)
	}
	if err := ValidateConditions(cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// errTrailing reports data after the JSON document.
var errTrailing = errors.New("data after the JSON document")

func decodeStrict(data []byte, v any) error {
	if len(data) > MaxFilterJSON {
		return fmt.Errorf("document of %d bytes exceeds the limit of %d", len(data), MaxFilterJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errTrailing
	}
	return nil
}
