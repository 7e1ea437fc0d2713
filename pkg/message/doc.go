// Package message holds fmn's normalised bus message (the envelope every other part of fmn works
// on), its decoding from the two wire forms Fedora's bus has used (fedora-messaging over AMQP and
// fedmsg-era JSON), and the extraction of who and what a message is about and of what a person
// reads about it.
//
// Decoding (DecodeAMQP, DecodeFedmsg) applies the fedora-messaging headers, which are the
// authority for users, groups and artifacts when present. Extract then fills the rest from the
// body with a table of rules keyed by topic pattern and body shape: JSON paths for the agent,
// users, groups and typed artifacts, summary and URL templates, and small functions where a path
// cannot say it (NVRs to package names, dist-git namespaces to artifact types, koji states). The
// real-message corpus in testdata/corpus is the yardstick (corpus_test.go).
//
// Where things are:
//
//   - message.go is the envelope, decode.go the two wire forms, topic.go reads a topic, extract.go
//     is Extract itself and summary.go its fallback sentence.
//   - families.go is the rule table, one block per producer; rules.go compiles and indexes it,
//     jsonpath.go and template.go read its paths and render its templates.
//   - family_<app>.go holds the code of one application's rules, named for the rule's App in
//     families.go (for a rule without one, its topic's first word; family_webhook.go is the
//     forges' webhook relay): what is read beyond the paths, the sentence, the page to open and
//     the long form. family_<app>_<part>.go continues one that would be too long.
//   - words.go holds the text helpers families of several groups use, words_<group>.go those of
//     one group (build, community, forge), hosts.go the production instances they link to, and
//     details.go the bounds of the long form.
//
// The package is a leaf: it imports nothing of fmn's and does no I/O.
package message
