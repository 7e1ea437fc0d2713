-- +goose Up
-- category + topic queries: with only (topic, sent_at) and (category, sent_at), a topic and a
-- category that never go together walk every message of the topic in the window (70 ms at 5M
-- messages); with both columns in front of sent_at the answer is one index descent.
CREATE INDEX messages_category_topic_idx ON messages (category, topic, sent_at);

-- +goose Down
DROP INDEX messages_category_topic_idx;
