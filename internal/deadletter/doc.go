// Package deadletter archives what arrives in the dead-letter queue into PostgreSQL (Archiver,
// Store) and re-drives archived letters to where they came from (Redriver). The stages build the
// letters themselves with package letter, which this package reads back.
package deadletter
