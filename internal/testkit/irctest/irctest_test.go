package irctest

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVersionPinned keeps ErgoVersion in step with tools/go.mod.
func TestVersionPinned(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "tools", "go.mod"))
	require.NoError(t, err)
	re := regexp.MustCompile(`(?m)^\s*github\.com/ergochat/ergo ` + regexp.QuoteMeta(ErgoVersion) + `(\s|$)`)
	require.True(t, re.Match(b), "tools/go.mod must pin ergo %s (or update ErgoVersion)", ErgoVersion)
}

// TestTwoClients: a message from one client reaches the other.
func TestTwoClients(t *testing.T) {
	t.Parallel()
	s := Start(t)
	a := s.Connect(t, "alice")
	b := s.Connect(t, "bob")
	a.Send("bob", "hello bob")
	got := b.WaitLines(t, "alice", 1)
	require.Equal(t, Line{From: "alice", Command: "PRIVMSG", Target: "bob", Text: "hello bob"}, got[0])
}
