-- +goose Up
-- The message archive (datanommer's job in Fedora): every bus message the consumer accepts, as
-- extracted, partitioned by sent_at (one partition a week, created by the writer as messages
-- arrive; old ones detached by the retention setting). Users and packages are in bridge tables
-- keyed by (value, sent_at, message), so "messages of user X" and "of package Y" are index range
-- scans, newest first. id is fmn's own number for a message; msg_id is the bus id. A message is
-- archived once: (msg_id, sent_at) is unique, and sent_at is the message's own time.
CREATE SEQUENCE messages_id_seq;

CREATE TABLE messages (
    id        bigint      NOT NULL DEFAULT nextval('messages_id_seq'),
    msg_id    text        NOT NULL CHECK (length(msg_id) BETWEEN 1 AND 255),
    sent_at   timestamptz NOT NULL,
    topic     text        NOT NULL,
    category  text        NOT NULL,
    agent     text,
    severity  smallint    NOT NULL,
    summary   text,
    url       text,
    usernames text[]      NOT NULL DEFAULT '{}',
    packages  text[]      NOT NULL DEFAULT '{}',
    -- What the consumer extracted that the columns above flatten: typed artifacts and groups, so
    -- a preview matches archived messages exactly as the workers matched them.
    artifacts jsonb       NOT NULL DEFAULT '[]',
    groups    text[]      NOT NULL DEFAULT '{}',
    body      jsonb       NOT NULL,
    PRIMARY KEY (sent_at, id)
) PARTITION BY RANGE (sent_at);
CREATE UNIQUE INDEX messages_msg_id_idx ON messages (msg_id, sent_at);
CREATE INDEX messages_category_idx ON messages (category, sent_at);
CREATE INDEX messages_topic_idx ON messages (topic, sent_at);

CREATE TABLE message_users (
    name       text        NOT NULL,
    sent_at    timestamptz NOT NULL,
    message_id bigint      NOT NULL,
    PRIMARY KEY (name, sent_at, message_id)
) PARTITION BY RANGE (sent_at);

CREATE TABLE message_packages (
    name       text        NOT NULL,
    sent_at    timestamptz NOT NULL,
    message_id bigint      NOT NULL,
    PRIMARY KEY (name, sent_at, message_id)
) PARTITION BY RANGE (sent_at);

-- +goose Down
DROP TABLE message_packages;
DROP TABLE message_users;
DROP TABLE messages;
DROP SEQUENCE messages_id_seq;
