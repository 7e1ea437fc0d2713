-- +goose Up
CREATE TABLE users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$'),
    email      text,
    is_admin   boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE destinations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind             text        NOT NULL CHECK (kind IN ('email', 'irc', 'sse')),
    address          text        NOT NULL CHECK (length(address) BETWEEN 1 AND 320),
    confirmed        boolean     NOT NULL DEFAULT false,
    enabled          boolean     NOT NULL DEFAULT true,
    format           text        NOT NULL DEFAULT 'short' CHECK (format IN ('short', 'verbose')),
    digest_max_delay interval,
    digest_max_count integer CHECK (digest_max_count > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, kind, address)
);
CREATE INDEX destinations_user_idx ON destinations (user_id);

CREATE TABLE filters (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    enabled    boolean     NOT NULL DEFAULT true,
    one_shot   boolean     NOT NULL DEFAULT false,
    conditions jsonb       NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX filters_user_idx ON filters (user_id);

CREATE TABLE filter_destinations (
    filter_id      bigint NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    destination_id bigint NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
    PRIMARY KEY (filter_id, destination_id)
);
CREATE INDEX filter_destinations_destination_idx ON filter_destinations (destination_id);

-- Every preference write adds a row here in the same transaction; one relay at a time publishes
-- the rows to the fmn.prefs exchange with confirms and deletes them. id doubles as the change
-- version workers compare against.
CREATE TABLE prefs_outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The highest change version ever written; survives the outbox being emptied.
CREATE TABLE prefs_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint  NOT NULL
);
INSERT INTO prefs_version (version) VALUES (0);

-- +goose Down
DROP TABLE prefs_version;
DROP TABLE prefs_outbox;
DROP TABLE filter_destinations;
DROP TABLE filters;
DROP TABLE destinations;
DROP TABLE users;
