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

-- The OpenID subject a user logged in with first. A later login under the same user name but
-- another subject (a renamed or reused account at the provider) is refused, not merged.
ALTER TABLE users ADD COLUMN oidc_subject text UNIQUE CHECK (length(oidc_subject) BETWEEN 1 AND 255);

-- +goose Down
ALTER TABLE users DROP COLUMN oidc_subject;
DROP INDEX users_name_c_idx;
DROP TABLE api_tokens;
