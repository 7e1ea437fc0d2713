package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// flagMention matches a flag in help text: "-n", "--aliases", "[-stage S]", a PrintDefaults line.
var flagMention = regexp.MustCompile(`(^|[\s\[])--?[a-z]`)

// runHelp runs fmnctl with args and returns its exit code and what it wrote to each stream.
func runHelp(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestHelp checks that fmnctl's own help goes to stdout with exit 0, that no arguments is still a
// usage error, and that an unknown command is one too.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"-help"}, {"--help"}} {
		code, stdout, stderr := runHelp(t, args...)
		require.Equal(t, 0, code, "%q: %s", args, stderr)
		require.Equal(t, usage, stdout, "%q", args)
		require.Empty(t, stderr, "%q", args)
	}

	code, stdout, stderr := runHelp(t)
	require.Equal(t, 2, code)
	require.Empty(t, stdout)
	require.Equal(t, usage, stderr)

	code, _, stderr = runHelp(t, "no-such-command")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `unknown command "no-such-command"`)
}

// TestCommandHelp runs every command and dead-letters subcommand with -h and --help, without any
// service: each must print its help, naming itself and mentioning a flag, and exit 0. The lists
// come from the maps run and deadLettersCmd dispatch through, so a new command is checked without
// being added here.
func TestCommandHelp(t *testing.T) {
	// No service is needed for -h; these make a command that connects before parsing its flags
	// fail fast (and rule out t.Parallel).
	t.Setenv("FMN_DATABASE_URL", "postgres://fmnctl-help-test.invalid:1/none")
	t.Setenv("FMN_AMQP_URL", "amqp://fmnctl-help-test.invalid:1/")

	var cmds [][]string
	for name := range commands() {
		cmds = append(cmds, []string{name})
	}
	for name := range deadLetterCommands() {
		cmds = append(cmds, []string{"dead-letters", name})
	}
	require.Contains(t, cmds, []string{"dead-letters", "list"})

	for _, cmd := range cmds {
		name := strings.Join(cmd, " ")
		for _, args := range [][]string{slices.Concat(cmd, []string{"-h"}), slices.Concat(cmd, []string{"--help"})} {
			code, stdout, stderr := runHelp(t, args...)
			help := stdout + stderr
			require.Equal(t, 0, code, "%q: %s", args, help)
			require.Contains(t, help, name, "%q", args) // "usage: fmnctl NAME", or the flag package's "Usage of NAME:"
			require.Regexp(t, flagMention, help, "%q", args)
		}
	}

	// "fmnctl help CMD" is "fmnctl CMD -h".
	code, stdout, stderr := runHelp(t, "help", "replay")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout+stderr, "replay")
	require.Contains(t, stdout+stderr, "-fresh-ids")
}
