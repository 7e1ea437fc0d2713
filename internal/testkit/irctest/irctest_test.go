package irctest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

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
