-- +goose Up
-- Who owns what and who is in which group. Names, not user ids: owners and members are accounts
-- of the account system, most of whom never log in to fmn.
CREATE TABLE artifact_owners (
    artifact_type text NOT NULL CHECK (artifact_type IN ('rpms', 'containers', 'modules', 'flatpaks')),
    artifact_name text NOT NULL CHECK (length(artifact_name) BETWEEN 1 AND 255),
    owner_kind    text NOT NULL CHECK (owner_kind IN ('user', 'group')),
    owner         text NOT NULL CHECK (length(owner) BETWEEN 1 AND 255),
    PRIMARY KEY (artifact_type, artifact_name, owner_kind, owner)
);
CREATE INDEX artifact_owners_owner_idx ON artifact_owners (owner_kind, owner);

CREATE TABLE group_members (
    group_name text NOT NULL CHECK (length(group_name) BETWEEN 1 AND 255),
    user_name  text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 255),
    PRIMARY KEY (group_name, user_name)
);
CREATE INDEX group_members_user_idx ON group_members (user_name);

CREATE INDEX filters_enabled_user_idx ON filters (user_id) WHERE enabled;

-- +goose Down
DROP INDEX filters_enabled_user_idx;
DROP TABLE group_members;
DROP TABLE artifact_owners;
