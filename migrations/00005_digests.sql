-- +goose Up
-- Notifications waiting for their destination's digest. A row is deleted in the transaction
-- that sends its digest.
CREATE TABLE digest_items (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id text        NOT NULL UNIQUE,
    destination_id  bigint      NOT NULL,
    max_count       integer     NOT NULL DEFAULT 0,
    max_delay       interval    NOT NULL DEFAULT '0',
    notification    jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX digest_items_destination_idx ON digest_items (destination_id, id);

-- +goose Down
DROP TABLE digest_items;
