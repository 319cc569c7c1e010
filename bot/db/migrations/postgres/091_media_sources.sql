-- The editor's own messages an item with attachments was made from: when the editor edits
-- one in the chat (a new caption, another picture), the item is corrected everywhere.
CREATE TABLE media_sources (
    chat_id     BIGINT NOT NULL,
    message_id  BIGINT NOT NULL,
    item_id     BIGINT NOT NULL REFERENCES ticker_items(id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,              -- which attachment of the item it brought
    PRIMARY KEY (chat_id, message_id)
);
