package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"fmn/internal/ownership/pagure"
	"fmn/pkg/prefs/pgstore"
)

// importOwnershipCmd makes artifact ownership what a Pagure-compatible API (dist-git) says.
func importOwnershipCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import-ownership", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "https://src.fedoraproject.org", "base URL of the Pagure-compatible API (dist-git)")
	namespaces := fs.String("namespaces", strings.Join(pagure.DefaultNamespaces(), ","), "comma-separated dist-git namespaces to import")
	maxPages := fs.Int("max-pages", pagure.DefaultMaxPages, "most pages to read per namespace")
	timeout := fs.Duration("timeout", pagure.DefaultTimeout, "timeout of each page request")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl import-ownership [flags]

Replaces the owners of every artifact the API lists with its users and groups that have owner,
admin, commit or collaborator access, one page (one transaction) at a time. Artifacts the API does
not list are left alone. Uses FMN_DATABASE_URL.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var nss []string
	for ns := range strings.SplitSeq(*namespaces, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			nss = append(nss, ns)
		}
	}
	if len(nss) == 0 {
		return fmt.Errorf("-namespaces: none given")
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	imp, err := pagure.New(pagure.Config{BaseURL: *base, Namespaces: nss, MaxPages: *maxPages, Timeout: *timeout},
		pagure.Deps{Store: pgstore.New(pool), Logger: slog.New(slog.NewTextHandler(stderr, nil))})
	if err != nil {
		return err
	}
	sum, err := imp.Import(ctx)
	fmt.Fprintf(stdout, "%s: %d projects, %d owners, %d pages, %d skipped, in %s\n",
		*base, sum.Projects, sum.Owners, sum.Pages, sum.Skipped, sum.Duration.Round(time.Millisecond))
	if len(sum.Truncated) > 0 {
		fmt.Fprintf(stdout, "stopped at -max-pages=%d before the end of: %s\n", *maxPages, strings.Join(sum.Truncated, ", "))
	}
	if err != nil {
		return fmt.Errorf("import stopped (the pages counted above are applied): %w", err)
	}
	return nil
}
