-- +goose Up
-- Per-user API tokens for scripts. Only the SHA-256 of a token is kept: the token itself is shown
-- once, when it is created. Deleting the user deletes their tokens.
CREATE TABLE api_tokens (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- The admin page lists users by name, searching by prefix, a page at a time (keyset). The UNIQUE
-- index on name uses the database's collation, which LIKE 'prefix%' cannot use; this one can.
CREATE INDEX users_name_c_idx ON users ((name COLLATE "C"));

-- +goose Down
DROP INDEX users_name_c_idx;
DROP TABLE api_tokens;
