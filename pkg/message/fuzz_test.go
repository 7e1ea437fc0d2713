package message_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"fmn/internal/corpus"
	"fmn/pkg/message"
)

// addCorpusSeeds seeds a fuzz target with real bus messages.
func addCorpusSeeds(f *testing.F, add func(r corpus.Record)) {
	f.Helper()
	recs, err := corpus.LoadDefault()
	if err != nil {
		f.Logf("no corpus seeds: %v", err)
		return
	}
	for i, r := range recs {
		if i%4 == 0 { // a spread of families keeps the seed set small
			add(r)
		}
	}
}

// checkExtracted asserts the invariants every extraction result holds.
func checkExtracted(t *testing.T, m *message.Message) {
	t.Helper()
	require.True(t, slices.IsSorted(m.Usernames))
	require.Len(t, slices.Compact(slices.Clone(m.Usernames)), len(m.Usernames))
	require.True(t, slices.IsSorted(m.Groups))
	for _, u := range m.Usernames {
		require.NotEmpty(t, u)
		require.NotContains(t, u, "@", "an address became a username")
	}
	for _, a := range m.Artifacts {
		require.NotEmpty(t, a.Name)
	}
	require.NotContains(t, m.Summary, "\n")
}

func FuzzDecodeAMQP(f *testing.F) {
	f.Add("org.fedoraproject.prod.bodhi.update.comment", "id", []byte(`{"comment":{"text":"@x"}}`), "")
	f.Add("t", "", []byte(`not json`), "")
	f.Add("t", "i", []byte(`[1,2]`), "")
	f.Add("t", "i", []byte(`{"topic":"x","msg":{"a":1},"msg_id":"m"}`), "")
	f.Add("t", "i", []byte(`{}`), "fedora_messaging_user_")
	addCorpusSeeds(f, func(r corpus.Record) {
		f.Add(r.Topic, r.ID, []byte(r.Body), "fedora_messaging_rpm_x")
	})
	f.Fuzz(func(t *testing.T, topic, id string, body []byte, header string) {
		h := map[string]any{header: true, "fedora_messaging_severity": 20}
		m, err := message.DecodeAMQP(message.AMQP{RoutingKey: topic, MessageID: id, Headers: h, Body: body}, 1<<16)
		if !json.Valid(body) {
			require.Error(t, err, "invalid JSON must be refused")
		}
		if err != nil {
			require.True(t, errors.Is(err, message.ErrMalformed), "error %v does not wrap ErrMalformed", err)
			return
		}
		require.NotEmpty(t, m.Topic)
		require.NotEmpty(t, m.ID)
		require.True(t, json.Valid(m.Body))
		message.Extract(&m, testAliases)
		checkExtracted(t, &m)
	})
}

func FuzzDecodeFedmsg(f *testing.F) {
	f.Add([]byte(`{"topic":"org.fedoraproject.prod.git.receive","msg_id":"2014-1","timestamp":1.5,"msg":{"commit":{"repo":"x"}}}`))
	f.Add([]byte(`{"topic":"t","msg_id":"m","msg":[]}`))
	f.Add([]byte(`{"topic":"t","msg_id":"m","timestamp":"x","msg":{}}`))
	f.Add([]byte(`nope`))
	addCorpusSeeds(f, func(r corpus.Record) {
		env, err := json.Marshal(map[string]any{"topic": r.Topic, "msg_id": r.ID, "msg": r.Body, "timestamp": 1.25})
		if err == nil {
			f.Add(env)
		}
	})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := message.DecodeFedmsg(raw, 1<<16)
		if !json.Valid(raw) {
			require.Error(t, err, "invalid JSON must be refused")
		}
		if err != nil {
			require.True(t, errors.Is(err, message.ErrMalformed), "error %v does not wrap ErrMalformed", err)
			return
		}
		message.Extract(&m, testAliases)
		checkExtracted(t, &m)
	})
}

// FuzzExtract drives every extractor with arbitrary bodies: real topics, mutated JSON.
func FuzzExtract(f *testing.F) {
	f.Add("org.fedoraproject.prod.pkgdb.acl.update", `{"agent":["x"],"package":{"name":1},"acl":null}`)
	f.Add("org.fedoraproject.prod.mdapi.repo.update", `{"differences":{"a":{"b":[[],["/x","y(z"]]}}}`)
	f.Add("org.fedoraproject.prod.hotness.update.bug.file", `{"trigger":{"topic":"anitya","msg":{"message":{"packages":[{"distro":"Fedora"}]}}}}`)
	addCorpusSeeds(f, func(r corpus.Record) { f.Add(r.Topic, string(r.Body)) })
	f.Fuzz(func(t *testing.T, topic, body string) {
		m := message.Message{ID: "x", Topic: topic, Body: json.RawMessage(body)}
		message.Extract(&m, testAliases)
		checkExtracted(t, &m)
		require.False(t, strings.ContainsAny(m.App, "."), "app %q", m.App)
	})
}
