package wire

import (
	"strings"
	"testing"
	"time"

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
	require.Equal(t, NotificationsVersion, got.V)
	require.True(t, got.Notifications[0].IsConfirmation())
	require.Equal(t, c.ConfirmURL, got.Notifications[0].ConfirmURL)
	require.Equal(t, c.ConfirmCode, got.Notifications[0].ConfirmCode)
}

func TestNotificationBatchesCarryEachMessageOnce(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	note := func(msg, user, topic string) Notification {
		return Notification{ID: NotificationID(msg, user, 1), MessageID: msg, User: user, Topic: topic, App: "koji", Agent: "bob",
			Severity: 20, Summary: "s " + msg, URL: "https://x/" + msg, Usernames: []string{"bob", "carol"},
			Details:   []message.Detail{{Label: "Karma", Value: "+1"}, {Label: "Comment", Value: "Works for me", Text: true}},
			Artifacts: []message.Artifact{{Type: message.ArtifactRPM, Name: "pkg"}}, SentAt: at, MatchedAt: at,
			Destination: Destination{ID: 1, Kind: "sse", Address: user}, Filters: []FilterRef{{ID: 3, Name: "f"}}}
	}
	in := NotificationBatch{Channel: "sse", Notifications: []Notification{
		note("m1", "alice", "topic.one"), note("m1", "carol", "topic.one"), note("m2", "alice", "topic.two"),
		{ID: "c", Kind: KindConfirmation, User: "dave", ConfirmCode: "ABCD2345"},
	}}
	b, err := Encode(&in)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(b), "topic.one"), "the message's fields travel once: %s", b)
	require.Equal(t, 2, strings.Count(string(b), "Works for me"), "the long form too, once per message: %s", b)
	require.Equal(t, "m1", in.Notifications[1].MessageID, "encoding leaves the caller's batch alone")

	got, err := DecodeNotifications(b)
	require.NoError(t, err)
	require.Equal(t, NotificationsVersion, got.V)
	require.Empty(t, got.Subjects)
	require.Equal(t, in.Notifications, got.Notifications)

	// Version 1, fields inline, still reads; a subject out of range does not.
	v1 := `{"v":1,"channel":"sse","notifications":[{"id":"n","message_id":"m","user":"u","topic":"t","severity":20,"filters":null,"destination":{"id":1,"kind":"sse","address":"u","format":""},"matched_at":"2026-11-23T10:00:00Z"}]}`
	old, err := DecodeNotifications([]byte(v1))
	require.NoError(t, err)
	require.Equal(t, "t", old.Notifications[0].Topic)
	_, err = DecodeNotifications([]byte(`{"v":2,"channel":"sse","subjects":[{"message_id":"m","topic":"t","severity":20}],"notifications":[{"id":"n","subject":2}]}`))
	require.ErrorContains(t, err, "names subject 2 of 1")
	_, err = DecodeNotifications([]byte(`{"v":3,"channel":"sse","notifications":[]}`))
	require.ErrorContains(t, err, "wire version 3")
}
