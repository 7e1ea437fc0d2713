package population

import (
	"errors"
	"fmt"
	"slices"

	"fmn/internal/corpus"
	"fmn/pkg/message"
)

// CorpusMessages decodes corpus records into messages (message.DecodeAMQP, then message.Extract).
// Where extraction found no usernames, agent, groups or artifacts, the values Fedora's own code
// computed (rec.Expected) fill in: usernames, agent, groups, and packages as rpms artifacts.
// Records that do not decode are skipped and counted.
func CorpusMessages(recs []corpus.Record) (msgs []message.Message, skipped int) {
	for i := range recs {
		rec := &recs[i]
		m, err := message.DecodeAMQP(rec.AMQP(), 0)
		if err != nil {
			skipped++
			continue
		}
		message.Extract(&m, nil)
		if e := rec.Expected; e != nil {
			if len(m.Usernames) == 0 {
				m.Usernames = append(m.Usernames, e.Usernames...)
			}
			if m.Agent == "" && e.Agent != nil {
				m.Agent = *e.Agent
			}
			if m.Agent != "" {
				m.Usernames = append(m.Usernames, m.Agent)
			}
			if len(m.Groups) == 0 {
				m.Groups = append(m.Groups, e.Groups...)
			}
			if len(m.Artifacts) == 0 {
				for _, p := range e.Packages {
					m.Artifacts = append(m.Artifacts, message.Artifact{Type: message.ArtifactRPM, Name: p})
				}
			}
		}
		m.Normalize()
		msgs = append(msgs, m)
	}
	return msgs, skipped
}

// MappedCorpus loads the default corpus and returns its messages mapped onto p (see MapMessage).
func (p *Population) MappedCorpus() ([]message.Message, error) {
	recs, err := corpus.LoadDefault()
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	msgs, _ := CorpusMessages(recs)
	for i := range msgs {
		p.MapMessage(&msgs[i])
	}
	return msgs, nil
}

// MappedMessages loads the default corpus and returns n of its messages mapped onto p: the
// corpus in order, again and again, where pass k (0, 1, ...) maps names with variant k (see
// MapMessageVariant), so that each pass names other users, packages and groups. Pass 0 is
// MappedCorpus. With n <= 0 it returns one pass.
func (p *Population) MappedMessages(n int) ([]message.Message, error) {
	recs, err := corpus.LoadDefault()
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	base, _ := CorpusMessages(recs)
	if len(base) == 0 {
		return nil, errors.New("load corpus: no message decodes")
	}
	if n <= 0 {
		n = len(base)
	}
	out := make([]message.Message, 0, n)
	for k := uint64(0); len(out) < n; k++ {
		for i := range base[:min(len(base), n-len(out))] {
			m := cloneNames(base[i])
			p.MapMessageVariant(&m, k)
			out = append(out, m)
		}
	}
	return out, nil
}

// cloneNames copies m with its own slices of the names mapping rewrites (usernames, groups,
// artifacts); the body and the rest are shared, as mapping replaces rather than edits them.
func cloneNames(m message.Message) message.Message {
	m.Usernames = slices.Clone(m.Usernames)
	m.Groups = slices.Clone(m.Groups)
	m.Artifacts = slices.Clone(m.Artifacts)
	return m
}
