-- A story's newest item id is one index step: every reader command marks what the chat has
-- seen (MAX(id) of the story), and a catch-up counts the items after an id.
CREATE INDEX ticker_items_story_newest ON ticker_items (story_id, id);
