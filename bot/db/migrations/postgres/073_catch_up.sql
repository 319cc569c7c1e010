-- Catch-up: the newest item a chat has seen of a story on a visit (/start, /ticker,
-- /missed). With the newest item delivered to it and its subscription's starting point this
-- says what the chat missed when it comes back.
CREATE TABLE chat_reads (
    chat_id       BIGINT NOT NULL,
    story_id      BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    seen_item_id  BIGINT NOT NULL,
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (chat_id, story_id)
);
