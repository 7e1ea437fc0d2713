package consumer

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
	"fmn/pkg/prefs"
)

// busEvent is a bus delivery of topic with body and no headers.
func busEvent(id, topic, body string) amqp.Delivery {
	return amqp.Delivery{Exchange: "amq.topic", RoutingKey: topic, MessageId: id, ContentType: "application/json", Body: []byte(body)}
}

// The ownership and membership changes of a bus batch are in the database by the time its work
// items are published and it is acked, and only the topics that carry changes count.
func TestOwnershipIsWrittenInTheBusBatchBeforeTheAck(t *testing.T) {
	t.Parallel()
	b := setup(t)
	j := b.jobs(b.config())
	const owned = `SELECT count(*) FROM artifact_owners WHERE artifact_type = 'rpms' AND artifact_name = 'python-foo' AND owner = 'alice'`
	const member = `SELECT count(*) FROM group_members WHERE group_name = 'python-sig' AND user_name = 'carol'`
	acked := false
	f := j.forwarder(b.rdb, b.pool, func(context.Context) {
		acked = true
		require.Equal(t, 1, b.count(owned), "the ACL change is written before the ack")
		require.Equal(t, 1, b.count(member), "the membership change is written before the ack")
		require.Equal(t, 1, b.depth(b.topo.WorkQueue), "and the work item is published")
	})

	f.handle(context.Background(), []amqp.Delivery{
		busEvent("acl-1", "org.fedoraproject.prod.pagure.project.user.added",
			`{"project":{"name":"python-foo","namespace":"rpms","fullname":"rpms/python-foo","parent":null},"new_user":"alice","access":"commit","agent":"bob"}`),
		busEvent("sponsor-1", "org.fedoraproject.prod.fas.group.member.sponsor",
			`{"msg": {"agent": "sponsor1", "group": "python-sig", "user": "carol"}}`),
		// Not an ownership topic, though its body looks like one.
		busEvent("other-1", bodhiTopic, `{"new_user":"dave","access":"commit","project":{"name":"x","namespace":"rpms"}}`),
	})
	require.True(t, acked)
	require.Equal(t, []string{"acl-1", "sponsor-1", "other-1"}, ids(b.nextWork(b.topo.WorkQueue)), "every message goes on to the workers")
	require.Equal(t, 0, b.count(`SELECT count(*) FROM artifact_owners WHERE owner = 'dave'`))
	require.Equal(t, 2.0, testutil.ToFloat64(j.m.ownership))
}

// A change the store refuses as invalid is logged and dropped, not retried; a database error is
// returned for the batch to be retried, with the changes kept.
func TestOwnershipRefusedChangeIsDropped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	j := b.jobs(b.config())
	w := j.forwarder(b.rdb, b.pool, nil).owners
	ctx := context.Background()

	invalid := ownershipChanges{owners: []prefs.OwnershipChange{{Artifact: message.Artifact{Type: message.ArtifactRPM, Name: "x"}}}}
	require.NoError(t, w.apply(ctx, &invalid))
	require.Nil(t, invalid.owners, "dropped, so a retry of the batch does not try it again")
	require.Zero(t, testutil.ToFloat64(j.m.ownership))

	valid := w.collect([]message.Message{{Topic: "org.fedoraproject.prod.fas.group.member.sponsor",
		Body: []byte(`{"group": "qa", "user": "erin"}`)}})
	require.Len(t, valid.members, 1)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.Error(t, w.apply(cancelled, &valid), "a database error is retried")
	require.Len(t, valid.members, 1, "and the change is kept for the retry")
	require.NoError(t, w.apply(ctx, &valid))
	require.Equal(t, 1, b.count(`SELECT count(*) FROM group_members WHERE group_name = 'qa' AND user_name = 'erin'`))
	require.Equal(t, 1.0, testutil.ToFloat64(j.m.ownership))
}
