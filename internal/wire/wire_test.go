package wire

import (
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

func TestRoundTripsAndVersions(t *testing.T) {
	t.Parallel()
	item := WorkItem{Messages: []message.Message{{ID: "a", Topic: "t", Body: []byte(`{"x":1}`)}, {ID: "b", Topic: "t", Body: []byte(`{}`)}}}
	b, err := Encode(&item)
	require.NoError(t, err)
	got, err := DecodeWork(b)
	require.NoError(t, err)
	require.Equal(t, Version, got.V)
	require.Len(t, got.Messages, 2)
	require.JSONEq(t, `{"x":1}`, string(got.Messages[0].Body))

	_, err = DecodeWork([]byte(`{"v":99,"messages":[]}`))
	require.ErrorContains(t, err, "wire version 99")
	_, err = DecodeNotifications([]byte(`not json`))
	require.Error(t, err)
	_, err = Encode(&item.Messages[0])
	require.Error(t, err, "only wire types are encoded")
}

func TestNotificationIDIsStableAndDistinct(t *testing.T) {
	t.Parallel()
	a := NotificationID("m1", "alice", 7)
	require.Equal(t, a, NotificationID("m1", "alice", 7))
	require.NotEqual(t, a, NotificationID("m1", "alice", 8))
	require.NotEqual(t, a, NotificationID("m1", "alic", 7))
	// The separator keeps ("m1a", "lice") apart from ("m1", "alice").
	require.NotEqual(t, a, NotificationID("m1a", "lice", 7))
}

func TestConfirmationFieldsAreOptional(t *testing.T) {
	t.Parallel()
	// An ordinary notification encodes without them, so older readers see nothing new.
	b, err := Encode(&NotificationBatch{Channel: "email", Notifications: []Notification{{ID: "n"}}})
	require.NoError(t, err)
	require.NotContains(t, string(b), `"kind":"`+KindConfirmation)
	require.NotContains(t, string(b), `{"kind"`)
	require.NotContains(t, string(b), "confirm_")

	c := Notification{ID: "c", Kind: KindConfirmation, ConfirmURL: "https://x/confirm/s", ConfirmCode: "ABCD2345"}
	b, err = Encode(&NotificationBatch{Channel: "irc", Notifications: []Notification{c}})
	require.NoError(t, err)
	got, err := DecodeNotifications(b)
	require.NoError(t, err)
	require.Equal(t, Version, got.V)
	require.True(t, got.Notifications[0].IsConfirmation())
	require.Equal(t, c.ConfirmURL, got.Notifications[0].ConfirmURL)
	require.Equal(t, c.ConfirmCode, got.Notifications[0].ConfirmCode)
}
