-- +goose Up
-- Dead letters moved out of the fmn.dead queue by the web app's archiver, so operators can list,
-- inspect, re-drive and delete them. delivery_hash (SHA-256 of the delivery's properties, headers
-- and body) makes archiving idempotent: a delivery the broker hands over again after a lost ack
-- is the same row. Each dead-lettering carries its own x-fmn-dead-at (or x-death count and time),
-- so separate failures of one message are separate rows. body holds at most the archiver's cap;
-- size is the original length and truncated says whether body is shorter (such a letter cannot be
-- re-driven).
CREATE TABLE dead_letters (
    id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_hash        bytea       NOT NULL UNIQUE CHECK (length(delivery_hash) = 32),
    stage                text        NOT NULL CHECK (length(stage) BETWEEN 1 AND 64),
    reason               text        NOT NULL CHECK (length(reason) <= 1000),
    original_exchange    text        NOT NULL CHECK (length(original_exchange) <= 255),
    original_routing_key text        NOT NULL CHECK (length(original_routing_key) <= 255),
    message_id           text        NOT NULL,
    content_type         text        NOT NULL,
    headers              jsonb       NOT NULL,
    body                 bytea       NOT NULL,
    size                 integer     NOT NULL CHECK (size >= 0),
    truncated            boolean     NOT NULL,
    dead_at              timestamptz NOT NULL,
    archived_at          timestamptz NOT NULL DEFAULT now(),
    redriven_at          timestamptz,
    redrive_count        integer     NOT NULL DEFAULT 0 CHECK (redrive_count >= 0)
);
-- Listing is newest archived first (id descending), optionally by stage and since a time.
CREATE INDEX dead_letters_stage_idx ON dead_letters (stage, id);
CREATE INDEX dead_letters_dead_at_idx ON dead_letters (dead_at);

-- +goose Down
DROP TABLE dead_letters;
