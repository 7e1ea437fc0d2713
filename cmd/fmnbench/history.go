package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// historyCombination is one of the query combinations the seed measured on datagrepper.
type historyCombination struct {
	name  string
	query url.Values
}

// historyBench times the ten query combinations of issue #8 against a running web app's
// GET /api/v1/messages: each is asked -runs times over HTTP; the table gives the median and the
// slowest, with the total the API reports.
func historyBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fmnbench history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "the web app's base URL")
	runs := fs.Int("runs", 8, "times each combination is asked")
	delta := fs.Duration("delta", 7*24*time.Hour, "the delta of the combinations that have one")
	user := fs.String("user", "user000000", "the user of the combinations that name one")
	pkg := fs.String("package", "pkg00000", "the package of the combinations that name one")
	category := fs.String("category", "bodhi", "the category of the combinations that name one")
	topic := fs.String("topic", "org.fedoraproject.prod.buildsys.build.state.change", "the topic of the combinations that name one")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d := strconv.Itoa(int(delta.Seconds()))
	combos := []historyCombination{
		{"user+delta", url.Values{"user": {*user}, "delta": {d}}},
		{"category+delta", url.Values{"category": {*category}, "delta": {d}}},
		{"topic+delta", url.Values{"topic": {*topic}, "delta": {d}}},
		{"not_package+delta", url.Values{"not_package": {*pkg}, "delta": {d}}},
		{"category+user", url.Values{"category": {*category}, "user": {*user}}},
		{"topic+user", url.Values{"topic": {*topic}, "user": {*user}}},
		{"user+not_package", url.Values{"user": {*user}, "not_package": {*pkg}}},
		{"category+topic", url.Values{"category": {*category}, "topic": {*topic}}},
		{"category+not_package", url.Values{"category": {*category}, "not_package": {*pkg}}},
		{"topic+not_package", url.Values{"topic": {*topic}, "not_package": {*pkg}}},
	}
	type row struct {
		Combination string  `json:"combination"`
		MedianMS    float64 `json:"median_ms"`
		MaxMS       float64 `json:"max_ms"`
		Total       int     `json:"total"`
		LowerBound  bool    `json:"total_is_lower_bound"`
	}
	client := &http.Client{Timeout: time.Minute}
	var out []row
	for _, c := range combos {
		var times []float64
		r := row{Combination: c.name}
		for range *runs {
			start := time.Now()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, *base+"/api/v1/messages?"+c.query.Encode(), nil)
			if err != nil {
				return err
			}
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			var page struct {
				Total      int  `json:"total"`
				LowerBound bool `json:"total_is_lower_bound"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil {
				return fmt.Errorf("%s: status %d: %w", c.name, resp.StatusCode, err)
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: status %d", c.name, resp.StatusCode)
			}
			times = append(times, float64(time.Since(start).Microseconds())/1000)
			r.Total, r.LowerBound = page.Total, page.LowerBound
		}
		slices.Sort(times)
		r.MedianMS = (times[(len(times)-1)/2] + times[len(times)/2]) / 2
		r.MaxMS = times[len(times)-1]
		out = append(out, r)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(out)
	}
	fmt.Fprintf(stdout, "| combination | median | slowest | total |\n| --- | --- | --- | --- |\n")
	for _, r := range out {
		total := strconv.Itoa(r.Total)
		if r.LowerBound {
			total = "≥ " + total
		}
		fmt.Fprintf(stdout, "| %s | %.1f ms | %.1f ms | %s |\n", r.Combination, r.MedianMS, r.MaxMS, total)
	}
	return nil
}
