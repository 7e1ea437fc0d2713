package mailtest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/testkit/mailtest"
)

func TestStartAndSearch(t *testing.T) {
	t.Parallel()
	s := mailtest.Start(t)
	got, err := s.Search(t.Context(), "to:nobody@example.org")
	require.NoError(t, err)
	require.Empty(t, got)
}
