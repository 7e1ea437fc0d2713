package wire

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecodeNotifications: any input decodes cleanly or fails with an error; what decodes
// survives an encode–decode round trip unchanged (so a batch a backend re-publishes, to a delay
// queue say, means what it meant).
func FuzzDecodeNotifications(f *testing.F) {
	f.Add([]byte(`{"v":1,"channel":"sse","notifications":[{"id":"n","message_id":"m","user":"u","topic":"t","severity":20,"destination":{"id":1,"kind":"sse","address":"u","format":""},"filters":[{"id":3,"name":"f"}],"matched_at":"2026-11-23T10:00:00Z"}]}`))
	f.Add([]byte(`{"v":2,"channel":"email","subjects":[{"message_id":"m","topic":"t","severity":20,"usernames":["a"],"artifacts":[{"type":"rpms","name":"p"}]}],"notifications":[{"id":"n","subject":1,"user":"u","destination":{"id":1,"kind":"email","address":"u@x"},"filters":null,"matched_at":"2026-11-23T10:00:00Z"},{"id":"c","kind":"confirmation","confirm_code":"ABCD"}]}`))
	f.Add([]byte(`{"v":2,"channel":"sse","subjects":[],"notifications":[{"id":"n","subject":-1}]}`))
	f.Add([]byte(`{"v":3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := DecodeNotifications(data)
		if err != nil {
			require.NotEmpty(t, err.Error())
			return
		}
		require.Empty(t, nb.Subjects, "decoding moves the subjects into the notifications")
		for _, n := range nb.Notifications {
			require.Zero(t, n.Subject)
		}
		b, err := Encode(&nb)
		require.NoError(t, err)
		again, err := DecodeNotifications(b)
		require.NoError(t, err, "round trip of %s", b)
		require.Equal(t, len(nb.Notifications), len(again.Notifications))
		for i := range nb.Notifications {
			require.Equal(t, normalised(nb.Notifications[i]), normalised(again.Notifications[i]))
		}
	})
}

// normalised makes what JSON cannot tell apart equal (nil and empty slices, the times' monotonic
// and location parts).
func normalised(n Notification) Notification {
	if len(n.Usernames) == 0 {
		n.Usernames = nil
	}
	if len(n.Artifacts) == 0 {
		n.Artifacts = nil
	}
	if len(n.Filters) == 0 {
		n.Filters = nil
	}
	n.SentAt, n.MatchedAt = n.SentAt.UTC(), n.MatchedAt.UTC()
	return n
}

// FuzzDecodeWork: any input decodes cleanly or fails with an error.
func FuzzDecodeWork(f *testing.F) {
	f.Add([]byte(`{"v":1,"messages":[{"id":"a","topic":"t","severity":20,"body":{"x":1}}]}`))
	f.Add([]byte(`{"v":1,"messages":[{"id":"a","topic":"t","body":null,"headers":{"k":[1,{"a":null}]}}]}`))
	f.Add([]byte(`{"v":0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := DecodeWork(data)
		if err != nil {
			require.NotEmpty(t, err.Error())
			return
		}
		require.Equal(t, Version, w.V)
	})
}

// FuzzDecodePrefsChange: any input decodes cleanly or fails with an error.
func FuzzDecodePrefsChange(f *testing.F) {
	f.Add([]byte(`{"v":1,"version":7,"user":"alice"}`))
	f.Add([]byte(`{"v":1,"version":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePrefsChange(data)
		if err != nil {
			require.NotEmpty(t, err.Error())
			return
		}
		require.Equal(t, Version, p.V)
	})
}
