package queuestatus

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReadyRates(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := Snapshot{At: t0, Queues: []Queue{
		{Name: "grows", Ready: 10},
		{Name: "drains", Ready: 10},
		{Name: "appears", Missing: true},
		{Name: "vanishes", Ready: 3},
	}}
	for name, tc := range map[string]struct {
		prev Snapshot
		at   time.Time
		want map[string]float64 // queues with a rate; every other has none
	}{
		// Two seconds later: +4 is 2/s, -10 is -5/s; a queue missing in either sample has none.
		"rates": {prev: prev, at: t0.Add(2 * time.Second), want: map[string]float64{"grows": 2, "drains": -5}},
		// The first poll has nothing to compare with.
		"first poll": {prev: Snapshot{}, at: t0, want: map[string]float64{}},
		// A clock that did not move gives no rate rather than a division by zero.
		"same instant": {prev: prev, at: t0, want: map[string]float64{}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			snap := Snapshot{At: tc.at, Queues: []Queue{
				{Name: "grows", Ready: 14},
				{Name: "drains", Ready: 0},
				{Name: "appears", Ready: 5},
				{Name: "vanishes", Missing: true},
				{Name: "new", Ready: 1},
			}}
			readyRates(snap, tc.prev)
			got := map[string]float64{}
			for _, q := range snap.Queues {
				if q.HasReadyRate {
					got[q.Name] = q.ReadyRate
				} else {
					require.Zero(t, q.ReadyRate, q.Name)
				}
			}
			require.Equal(t, tc.want, got)
		})
	}
}
