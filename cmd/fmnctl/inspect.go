package main

import (
	"context"
	"io"

	"fmn/internal/inspect"
)

func inspectCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return inspect.Run(ctx, args, stdin, stdout, stderr)
}
