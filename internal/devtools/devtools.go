// Package devtools knows the development servers scripts/tools.sh builds from the tools module
// (tools/go.mod) into $HOME/.cache/fmn-tools/NAME-VERSION/NAME, once per version: where their
// binaries are, and how to run mailpit (email) and ergo (IRC) on free loopback ports as child
// processes (internal/childproc). The load tool's fault run and the tests' mailtest and irctest
// start them from here.
package devtools

import (
	"os"
	"path/filepath"
)

// Path is where scripts/tools.sh caches a tool: $HOME/.cache/fmn-tools/NAME-VERSION/NAME, unless
// the variable env names another path.
func Path(env, name, version string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, ".cache", "fmn-tools", name+"-"+version, name)
}
