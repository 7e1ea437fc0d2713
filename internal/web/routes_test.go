package web

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoutePatternsListTheRouteTable(t *testing.T) {
	t.Parallel()
	ps := RoutePatterns()
	require.Contains(t, ps, "PUT /api/v1/users/{user}/filters/{id}")
	require.Contains(t, ps, "POST /filters/{id}/delete")
	require.Contains(t, ps, "POST /mute")
	require.Greater(t, len(ps), 50)
}
