package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// demoFilters are the demo user's filters: they match messages of the corpus (testdata/corpus).
var demoFilters = []rules.Filter{
	{Name: "Bodhi updates", Enabled: true, Conditions: []rules.Condition{
		{Field: rules.FieldTopic, Op: rules.OpGlob, Values: []string{"org.fedoraproject.*.bodhi.*"}},
	}},
	{Name: "Anything about ralph", Enabled: true, Conditions: []rules.Condition{
		{Field: rules.FieldUser, Op: rules.OpIn, Values: []string{"ralph"}},
	}},
}

func seedDemoCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("user", "demo", "demo user name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := pgstore.New(pool)
	u, err := store.UserByName(ctx, *name)
	if errors.Is(err, prefs.ErrNotFound) {
		u, err = store.CreateUser(ctx, *name, *name+"@example.org")
	}
	if err != nil {
		return err
	}
	existing, err := store.Filters(ctx, u)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, f := range existing {
		have[f.Name] = true
	}
	dests, err := store.Destinations(ctx, u)
	if err != nil {
		return err
	}
	var sse int64
	for _, d := range dests {
		if d.Kind == prefs.KindSSE {
			sse = d.ID
		}
	}
	for _, f := range demoFilters {
		if have[f.Name] {
			continue
		}
		f.Destinations = []int64{sse}
		if _, err := store.CreateFilter(ctx, u, f); err != nil {
			return fmt.Errorf("filter %q: %w", f.Name, err)
		}
	}
	fmt.Fprintf(stdout, "demo user %q has %d filters sending to its SSE stream\n", u.Name, len(demoFilters))
	return nil
}
