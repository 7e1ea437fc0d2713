-- +goose Up
-- The delivery ledger: one row per notification the backend settled for good. A notification is
-- sent at most once because the backend looks its id up here before sending and writes the row
-- right after the server accepted it. Rows with status failed_permanent or dead record why a
-- notification was never delivered; a re-driven dead letter may later turn such a row into sent.
-- There is no foreign key to destinations or users: the ledger is history and outlives them.
CREATE TABLE deliveries (
    notification_id text        PRIMARY KEY CHECK (length(notification_id) BETWEEN 1 AND 64),
    message_id      text        NOT NULL,
    user_name       text        NOT NULL,
    destination_id  bigint      NOT NULL,
    channel         text        NOT NULL CHECK (channel IN ('email', 'irc', 'sse')),
    status          text        NOT NULL CHECK (status IN ('sent', 'failed_permanent', 'dead')),
    attempts        integer     NOT NULL CHECK (attempts > 0),
    last_error      text        CHECK (length(last_error) <= 300),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_user_idx ON deliveries (user_name, created_at);
CREATE INDEX deliveries_undelivered_idx ON deliveries (updated_at) WHERE status <> 'sent';

-- +goose Down
DROP TABLE deliveries;
