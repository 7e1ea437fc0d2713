package message_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"fmn/pkg/message"
)

func extract(t *testing.T, topic, body string, headers map[string]any) message.Message {
	t.Helper()
	m, err := message.DecodeAMQP(message.AMQP{RoutingKey: topic, MessageID: "id-1", Headers: headers, Body: []byte(body)}, 0)
	require.NoError(t, err)
	message.Extract(&m, testAliases)
	return m
}

func TestExtract(t *testing.T) {
	t.Parallel()
	type want struct {
		app       string
		agent     string
		usernames []string
		artifacts []message.Artifact
		groups    []string
		summary   string
		url       string
	}
	rpm := func(n string) message.Artifact { return message.Artifact{Type: message.ArtifactRPM, Name: n} }
	cases := []struct {
		name  string
		topic string
		body  string
		want  want
	}{
		{
			// A koji build: the owner acted; the package comes from the build name.
			name:  "koji build completed",
			topic: "org.fedoraproject.prod.buildsys.build.state.change",
			body:  `{"owner":"ralph","name":"kernel","version":"5.1","release":"1.fc30","new":1,"old":0,"build_id":42}`,
			want: want{
				app: "koji", agent: "ralph", usernames: []string{"ralph"}, artifacts: []message.Artifact{rpm("kernel")},
				summary: "ralph's kernel-5.1-1.fc30 build completed", url: "https://koji.fedoraproject.org/koji/buildinfo?buildID=42",
			},
		},
		{
			// A bodhi comment: author, update submitter and @mentions are involved; packages
			// come from the update's build NVRs; an e-mail address is not a mention.
			name:  "bodhi comment",
			topic: "org.fedoraproject.prod.bodhi.update.comment",
			body: `{"comment":{"user":{"name":"kalev"},"text":"cc @codeblock, not me@example.com",` +
				`"update":{"alias":"FEDORA-2019-1","user":{"name":"tdawson"},"builds":[{"nvr":"xdg-desktop-portal-1.4.2-1.fc30"},{"nvr":"pipewire-0.2.6-1.fc30"}]}}}`,
			want: want{
				app: "bodhi", agent: "kalev", usernames: []string{"codeblock", "kalev", "tdawson"},
				artifacts: []message.Artifact{rpm("pipewire"), rpm("xdg-desktop-portal")},
				summary:   "kalev commented on bodhi update xdg-desktop-portal-1.4.2-1.fc30 pipewire-0.2.6-1.fc30", url: "https://bodhi.fedoraproject.org/updates/FEDORA-2019-1",
			},
		},
		{
			// A dist-git push to a container repository gives a typed artifact.
			name:  "dist-git container push",
			topic: "org.fedoraproject.prod.git.receive",
			body:  `{"commit":{"username":"jdoe","namespace":"container","repo":"flask","branch":"main","rev":"abc"}}`,
			want: want{
				app: "distgit", agent: "jdoe", usernames: []string{"jdoe"},
				artifacts: []message.Artifact{{Type: message.ArtifactContainer, Name: "flask"}},
				summary:   "jdoe pushed to container/flask (main)", url: "https://src.fedoraproject.org/container/flask/c/abc?branch=main",
			},
		},
		{
			// An address with an alias is that account; one without is nobody.
			name:  "bugzilla addresses",
			topic: "org.fedoraproject.prod.bugzilla.bug.update",
			body: `{"event":{"who":"rbean@redhat.com"},"bug":{"id":7,"component":"rpm","summary":"s","creator":"someone@example.com",` +
				`"assigned_to":"puiterwijk@gmail.com","cc":["infra@lists.fedoraproject.org"]}}`,
			want: want{
				app: "bugzilla", agent: "ralph", usernames: []string{"puiterwijk", "ralph"}, artifacts: []message.Artifact{rpm("rpm")},
				summary: "ralph updated RHBZ#7 's'", url: "https://bugzilla.redhat.com/show_bug.cgi?id=7",
			},
		},
		{
			// Noggin wraps its body in "msg"; groups are extracted.
			name:  "noggin sponsor",
			topic: "org.fedoraproject.prod.fas.group.member.sponsor",
			body:  `{"msg":{"agent":"toshio","user":"ralph","group":"packager"}}`,
			want: want{
				app: "fas", agent: "toshio", usernames: []string{"ralph", "toshio"}, groups: []string{"packager"},
				summary: "toshio sponsored ralph's membership in the packager group",
				url:     "https://accounts.fedoraproject.org/group/packager/",
			},
		},
		{
			// Meetbot maps nicks through the aliases and leaves out the bot.
			name:  "meetbot attendees",
			topic: "org.fedoraproject.prod.meetbot.meeting.complete",
			body:  `{"attendees":{"threebean":2,"zodbot":3,"lmacken":1},"channel":"#fedora-meeting","url":"http://logs/x"}`,
			want: want{
				app: "meetbot", usernames: []string{"lmacken", "ralph"},
				summary: "the meeting ended in #fedora-meeting", url: "http://logs/x.html", // the minutes
			},
		},
		{
			// A Fedora CI result: the build's submitter and component.
			name:  "fedora ci koji build",
			topic: "org.fedoraproject.prod.ci.koji-build.test.complete",
			body:  `{"artifact":{"type":"koji-build","nvr":"bash-5.2-1.fc40","component":"bash","issuer":"siteshwar"},"run":{"url":"https://ci/1"}}`,
			want: want{
				app: "ci", usernames: []string{"siteshwar"}, artifacts: []message.Artifact{rpm("bash")},
				summary: "CI koji-build test complete for bash-5.2-1.fc40", url: "https://ci/1",
			},
		},
		{
			// An unknown topic: the generic fallback takes a plain account, never an address.
			name:  "generic fallback",
			topic: "org.fedoraproject.prod.newthing.widget.frobbed",
			body:  `{"agent":"alice","user":"bob@example.com","title":"The big one"}`,
			want:  want{app: "newthing", agent: "alice", usernames: []string{"alice"}, summary: `newthing: widget frobbed by alice: "The big one"`},
		},
		{
			// Not an object: nothing but the app.
			name:  "array body",
			topic: "org.fedoraproject.prod.bodhi.update.comment",
			body:  `{"comment":"just a string"}`,
			want:  want{app: "bodhi", summary: "bodhi: update comment"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := extract(t, tc.topic, tc.body, nil)
			require.Equal(t, tc.want.app, m.App)
			require.Equal(t, tc.want.agent, m.Agent)
			require.Equal(t, tc.want.usernames, m.Usernames)
			require.Equal(t, tc.want.artifacts, m.Artifacts)
			require.Equal(t, tc.want.groups, m.Groups)
			require.Equal(t, tc.want.summary, m.Summary)
			require.Equal(t, tc.want.url, m.URL)
		})
	}
}

// TestExtractHeadersWin checks that header metadata is not extended from the body, while App,
// Agent and Summary are still computed.
func TestExtractHeadersWin(t *testing.T) {
	t.Parallel()
	m := extract(t, "org.fedoraproject.prod.buildsys.build.state.change",
		`{"owner":"ralph","name":"kernel","version":"5.1","release":"1.fc30","new":1}`,
		map[string]any{
			"fedora_messaging_schema":    "koji_fedoramessaging.build.BuildStateChangeV1",
			"fedora_messaging_user_spot": true,
			"fedora_messaging_rpm_glibc": true,
		})
	require.Equal(t, []string{"spot"}, m.Usernames)
	require.Equal(t, []message.Artifact{{Type: message.ArtifactRPM, Name: "glibc"}}, m.Artifacts)
	require.Equal(t, "ralph", m.Agent)
	require.Equal(t, "koji", m.App)
	require.Equal(t, "ralph's kernel-5.1-1.fc30 build completed", m.Summary)
}

// TestExtractKeepsSetFields checks that Extract does not overwrite what a caller already set.
func TestExtractKeepsSetFields(t *testing.T) {
	t.Parallel()
	m, err := message.DecodeAMQP(message.AMQP{RoutingKey: "org.fedoraproject.prod.copr.build.end", MessageID: "x",
		Body: []byte(`{"user":"fatka","copr":"mutt"}`)}, 0)
	require.NoError(t, err)
	m.App, m.Summary = "custom", "given"
	message.Extract(&m, nil)
	require.Equal(t, "custom", m.App)
	require.Equal(t, "given", m.Summary)
	require.Equal(t, []string{"fatka"}, m.Usernames)
}

func TestStripEnvAndApp(t *testing.T) {
	t.Parallel()
	for topic, want := range map[string][2]string{
		"org.fedoraproject.prod.bodhi.update.comment":               {"bodhi.update.comment", "bodhi"},
		"io.pagure.prod.pagure.issue.new":                           {"pagure.issue.new", "pagure"},
		"org.release-monitoring.prod.anitya.project.version.update": {"anitya.project.version.update", "anitya"},
		"org.centos.stage.ci.pipeline.complete":                     {"ci.pipeline.complete", "ci"},
		"bodhi.update.comment":                                      {"bodhi.update.comment", "bodhi"},
		"org.fedoraproject.prod":                                    {"org.fedoraproject.prod", "org"},
		"":                                                          {"", ""},
	} {
		require.Equal(t, want[0], message.StripEnv(topic), topic)
		require.Equal(t, want[1], message.AppFromTopic(topic), topic)
	}
}

// Invalid UTF-8 inside a JSON string is not a reason to drop a message: each bad byte becomes
// U+FFFD, the body stays valid JSON, and what it says is still extracted.
func TestDecodeAMQPRepairsInvalidUTF8(t *testing.T) {
	t.Parallel()
	m, err := message.DecodeAMQP(message.AMQP{RoutingKey: "org.fedoraproject.prod.bodhi.update.comment", MessageID: "u",
		Body: []byte("{\"comment\":{\"text\":\"caf\xe9 \xff\"}}")}, 0)
	require.NoError(t, err)
	require.True(t, utf8.Valid(m.Body))
	require.True(t, json.Valid(m.Body))
	require.Contains(t, string(m.Body), "caf\uFFFD \uFFFD")
}

func TestStagingTopicsLinkToStagingHosts(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ topic, body, url string }{
		// The same openQA job, from production and from staging.
		"openqa prod": {"org.fedoraproject.prod.openqa.job.done", `{"id":10826,"result":"passed"}`, "https://openqa.fedoraproject.org/tests/10826"},
		"openqa stg":  {"org.fedoraproject.stg.openqa.job.done", `{"id":10826,"result":"passed"}`, "https://openqa.stg.fedoraproject.org/tests/10826"},
		// A koji task of the staging hub.
		"koji stg": {"org.fedoraproject.stg.buildsys.task.state.change", `{"id":7,"owner":"ralph","method":"build","new":"CLOSED","old":"OPEN"}`,
			"https://koji.stg.fedoraproject.org/koji/taskinfo?taskID=7"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.url, extract(t, tc.topic, tc.body, nil).URL)
		})
	}
}
