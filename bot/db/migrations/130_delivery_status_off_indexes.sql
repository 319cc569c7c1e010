-- A delivery changes status twice on its way out (pending -> claimed -> sent), and every
-- index holding the status column was rewritten each time: seven index writes per claim,
-- six per result. At a million subscribers those writes were most of the push engine's
-- transactions (claim 14 ms, a batch of results 3-19 ms), and an editor's change waited
-- for them. The chat index does without the status (a chat has a few rows in flight), and
-- the item index keeps only pending rows, which is all a retraction looks for.
DROP INDEX deliveries_chat;
CREATE INDEX deliveries_chat ON deliveries (chat_id, story_id);
DROP INDEX deliveries_item;
CREATE INDEX deliveries_item_pending ON deliveries (item_id) WHERE status = 'pending';
