-- +goose Up
-- The pending confirmation of a destination (DESIGN.md §6): one at most per destination, a new
-- one replacing the old. Only the SHA-256 of the secret (an email link's) or code (sent by the IRC
-- bot) is kept, so a database dump confirms nothing. address is the destination's address when
-- the confirmation was made: one made for another address confirms nothing. A row is deleted
-- when it confirms its destination.
CREATE TABLE destination_confirmations (
    destination_id bigint      PRIMARY KEY REFERENCES destinations (id) ON DELETE CASCADE,
    address        text        NOT NULL,
    secret_hash    bytea       NOT NULL CHECK (length(secret_hash) = 32),
    attempts       integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX destination_confirmations_secret_idx ON destination_confirmations (secret_hash);

-- +goose Down
DROP TABLE destination_confirmations;
