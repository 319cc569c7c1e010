-- An item may carry more than one album's ten attachments (an editor's upload of fifteen
-- pictures arrives as two albums and stays one item): the position is no longer capped at
-- nine. SQLite changes a CHECK only by copying the table; nothing refers to item_media.
CREATE TABLE item_media_many (
    item_id         INTEGER NOT NULL REFERENCES ticker_items(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 0),
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'animation', 'document')),
    file_id         TEXT NOT NULL,
    file_unique_id  TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);
INSERT INTO item_media_many (item_id, position, kind, file_id, file_unique_id)
    SELECT item_id, position, kind, file_id, file_unique_id FROM item_media;
DROP TABLE item_media;
ALTER TABLE item_media_many RENAME TO item_media;
