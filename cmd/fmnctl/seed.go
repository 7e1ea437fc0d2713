package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"fmn/pkg/prefs"
	"fmn/pkg/prefs/pgstore"
	"fmn/pkg/rules"
)

// demoFilter is one of the demo user's filters and the kinds of destination it sends to.
type demoFilter struct {
	filter rules.Filter
	kinds  []string
}

// demoFilters are the demo user's filters: they match messages of the corpus (testdata/corpus).
// Every Bodhi update goes to the stream only (46 of the corpus's messages); what involves ralph
// (81) goes to every channel, so that make run shows an email and an IRC line within seconds.
var demoFilters = []demoFilter{
	{rules.Filter{Name: "Bodhi updates", Enabled: true, Conditions: []rules.Condition{
		{Field: rules.FieldTopic, Op: rules.OpGlob, Values: []string{"org.fedoraproject.*.bodhi.*"}},
	}}, []string{prefs.KindSSE}},
	{rules.Filter{Name: "Anything about ralph", Enabled: true, Conditions: []rules.Condition{
		{Field: rules.FieldUser, Op: rules.OpIn, Values: []string{"ralph"}},
	}}, []string{prefs.KindSSE, prefs.KindEmail, prefs.KindIRC}},
}

func seedDemoCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("user", "demo", "demo user name")
	email := fs.String("email", "", "the demo user's email address, confirmed (default: <user>@example.org)")
	nick := fs.String("irc-nick", "", "the demo user's IRC nick, confirmed (default: the user name)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: fmnctl seed-demo [flags]

Creates, idempotently, the demo user with its SSE stream, a confirmed email address and IRC nick,
and the filters "Bodhi updates" (stream) and "Anything about ralph" (stream, email, IRC); run
again, it re-enables and confirms those destinations and points the two filters back at them.
Uses FMN_DATABASE_URL.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		*email = *name + "@example.org"
	}
	if *nick == "" {
		*nick = *name
	}
	pool, err := openDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := pgstore.New(pool)
	u, err := store.UserByName(ctx, *name)
	if errors.Is(err, prefs.ErrNotFound) {
		u, err = store.CreateUser(ctx, *name, *email)
	}
	if err != nil {
		return err
	}
	dests, err := demoDestinations(ctx, store, u, map[string]string{prefs.KindEmail: *email, prefs.KindIRC: *nick})
	if err != nil {
		return err
	}
	existing, err := store.Filters(ctx, u)
	if err != nil {
		return err
	}
	for _, df := range demoFilters {
		f := df.filter
		f.Destinations = nil
		for _, k := range df.kinds {
			f.Destinations = append(f.Destinations, dests[k])
		}
		i := slices.IndexFunc(existing, func(e rules.Filter) bool { return e.Name == f.Name })
		if i < 0 {
			if _, err := store.CreateFilter(ctx, u, f); err != nil {
				return fmt.Errorf("filter %q: %w", f.Name, err)
			}
			continue
		}
		// An older seed sent it elsewhere: send it where this one does, keeping the rest.
		if e := existing[i]; !slices.Equal(slices.Sorted(slices.Values(e.Destinations)), slices.Sorted(slices.Values(f.Destinations))) {
			e.Destinations = f.Destinations
			if _, err := store.UpdateFilter(ctx, u, e); err != nil {
				return fmt.Errorf("filter %q: %w", f.Name, err)
			}
		}
	}
	var lines []string
	for _, df := range demoFilters {
		lines = append(lines, fmt.Sprintf("%q → %s", df.filter.Name, strings.Join(df.kinds, ", ")))
	}
	fmt.Fprintf(stdout, "demo user %q (email %s, IRC nick %s, both confirmed): %s\n", u.Name, *email, *nick, strings.Join(lines, "; "))
	return nil
}

// demoDestinations makes sure user has a confirmed, enabled destination of each kind in addrs
// (kind → address) and returns every kind's destination id, the SSE stream's included.
func demoDestinations(ctx context.Context, store *pgstore.Store, u prefs.User, addrs map[string]string) (map[string]int64, error) {
	dests, err := store.Destinations(ctx, u)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	for _, d := range dests {
		if d.Kind == prefs.KindSSE || d.Address == addrs[d.Kind] {
			ids[d.Kind] = d.ID
			if !d.Deliverable() {
				on := true
				if err := store.UpdateDestination(ctx, u, d.ID, prefs.DestinationUpdate{Enabled: &on}); err != nil {
					return nil, fmt.Errorf("enable %s destination: %w", d.Kind, err)
				}
				if err := store.ConfirmDestination(ctx, u, d.ID); err != nil {
					return nil, fmt.Errorf("confirm %s destination: %w", d.Kind, err)
				}
			}
		}
	}
	for _, kind := range []string{prefs.KindEmail, prefs.KindIRC} {
		if _, ok := ids[kind]; ok {
			continue
		}
		d, err := store.CreateDestination(ctx, u, prefs.Destination{Kind: kind, Address: addrs[kind]})
		if err != nil {
			return nil, fmt.Errorf("%s destination: %w", kind, err)
		}
		if err := store.ConfirmDestination(ctx, u, d.ID); err != nil {
			return nil, fmt.Errorf("confirm %s destination: %w", kind, err)
		}
		ids[kind] = d.ID
	}
	if _, ok := ids[prefs.KindSSE]; !ok {
		return nil, fmt.Errorf("user %q has no SSE destination", u.Name)
	}
	return ids, nil
}
