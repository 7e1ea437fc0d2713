// Package consumer is the consumer process: it takes messages off the bus and does four jobs
// with them, one type and one file each.
//
//   - Forwarding (forward.go, forwarder): decode each bus delivery and extract its metadata, drop
//     the ids already seen (dedup.go, a Redis hint), dead-letter the malformed ones with stage
//     "consumer" and a reason, and hand the rest to the workers in batches (work items) on the
//     work queue, and to the archiver on the archive queue. A bus delivery is acked only after
//     its work items are confirmed by the broker.
//   - Ownership (ownership.go, ownershipWriter): the messages whose topics change artifact
//     ownership or group membership (internal/ownership says which) are written to the
//     preferences in the same bus batch, before its work items go out and before its ack.
//   - Archiving (archive.go, archiver): the work items of the archive queue are written to the
//     message archive (internal/archive) in large transactions, paced so that the archiver
//     leaves the CPU to the pipeline, with the weeks past the retention detached.
//   - Identity aliases (aliases.go, aliases): the confirmed e-mail addresses and IRC nicks of
//     every account, reread periodically, so that a producer naming a person by address reaches
//     their account.
//
// Run builds the four from Config and runs them until its context ends.
package consumer
