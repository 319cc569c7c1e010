-- A story's newest item id is one index step: every reader command marks what the chat has
-- seen (MAX(id) of the story), and a catch-up counts the items after an id. Through the
-- position index both walked all of a story's items (16 ms at 100,000, on every command).
CREATE INDEX ticker_items_story_newest ON ticker_items (story_id, id);
