package worker

import (
	"time"

	"fmn/internal/wire"
	"fmn/pkg/message"
	"fmn/pkg/rules"
)

// notifications turns matches into notifications grouped by channel (the destination's kind).
// Matches on destinations missing from the snapshot (disabled, unconfirmed, deleted) give none.
func notifications(st *state, msg *message.Message, matches []rules.Match, now time.Time) map[string][]wire.Notification {
	out := map[string][]wire.Notification{}
	for _, mt := range matches {
		d, ok := st.destination(mt.Destination)
		if !ok {
			continue
		}
		refs := make([]wire.FilterRef, 0, len(mt.Filters))
		for _, id := range mt.Filters {
			refs = append(refs, wire.FilterRef{ID: id, Name: st.filterName(id)})
		}
		out[d.Kind] = append(out[d.Kind], wire.NotificationFor(msg, mt.User, wire.Destination{ID: d.ID, Kind: d.Kind,
			Address: d.Address, Format: d.Format, DigestMaxCount: d.DigestMaxCount, DigestMaxDelay: d.DigestMaxDelay}, refs, now))
	}
	return out
}
