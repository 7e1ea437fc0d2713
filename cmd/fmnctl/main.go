// Command fmnctl is the operator's tool: schema migrations, replaying messages onto the bus,
// inspecting what fmn extracts from messages, demo data, stream tokens, bulk ownership imports,
// archived dead letters, and filling the message archive (synthetic loads and datagrepper imports).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: fmnctl <command> [flags]

commands:
  migrate        apply pending database migrations (FMN_DATABASE_URL)
  replay         publish JSONL messages (corpus format) onto the bus exchange
  inspect        print the metadata fmn extracts from JSONL messages on stdin
  seed-demo      create the demo user and its filters (idempotent)
  stream-token   print an SSE stream URL with a fresh token for a user (FMN_SSE_SECRET)
  import-ownership
                 load artifact ownership from a Pagure-compatible API such as dist-git
  dead-letters   list, show ID or redrive ID the archived dead letters
  archive-load   fill the message archive with synthetic corpus-shaped messages
  import-messages
                 archive messages from datagrepper /raw JSON pages or JSONL files
  bind-subject   bind an account to the OpenID subject of its owner (accounts made before
                 their first login)
  demo-check     wait for the demo user's first notification on every channel of a local fmn
                 (make run) and log in once through the OpenID Provider

Run "fmnctl <command> -h" or "fmnctl help <command>" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one fmnctl subcommand. It gets the arguments after its name and returns flag.ErrHelp
// when it has printed its help for -h.
type command func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// commands returns fmnctl's subcommands by name. run dispatches through it, and the help test
// walks it, so every command registered here must answer -h.
func commands() map[string]command {
	return map[string]command{
		"migrate":          migrateCmd,
		"replay":           replayCmd,
		"inspect":          inspectCmd,
		"seed-demo":        seedDemoCmd,
		"stream-token":     streamTokenCmd,
		"import-ownership": importOwnershipCmd,
		"dead-letters":     deadLettersCmd,
		"archive-load":     archiveLoadCmd,
		"import-messages":  importMessagesCmd,
		"bind-subject":     bindSubjectCmd,
		"demo-check":       demoCheckCmd,
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if args[0] == "help" && len(args) > 1 {
			// "fmnctl help CMD" is "fmnctl CMD -h".
			return run(ctx, []string{args[1], "-h"}, stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "fmnctl: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd(ctx, args[1:], stdin, stdout, stderr); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintf(stderr, "fmnctl %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
