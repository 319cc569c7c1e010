-- A subscription made inside a forum topic pushes to that topic (message_thread_id);
-- NULL: the chat itself (General in a forum).
ALTER TABLE subscriptions ADD COLUMN thread_id BIGINT;
