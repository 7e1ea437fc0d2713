-- +goose Up
-- Confirmations sent, for the quotas on them (prefs.Quotas): per user and per target address in
-- the last hour. Not tied to destinations or users by a foreign key on purpose: deleting a
-- destination, or an account, and adding it again must not free its quota. Rows older than the
-- window are pruned by the next send.
CREATE TABLE confirmation_sends (
    id      bigserial   PRIMARY KEY,
    user_id bigint      NOT NULL,
    target  text        NOT NULL,
    sent_at timestamptz NOT NULL
);
CREATE INDEX confirmation_sends_user_idx ON confirmation_sends (user_id, sent_at);
CREATE INDEX confirmation_sends_target_idx ON confirmation_sends (target, sent_at);
CREATE INDEX confirmation_sends_sent_at_idx ON confirmation_sends (sent_at);

-- +goose Down
DROP TABLE confirmation_sends;
