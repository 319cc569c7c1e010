-- Ticker items with pictures, videos, animations or documents (up to ten, an album).
-- Telegram keeps the files: an item stores what it needs to send them again by file_id,
-- and file_unique_id to tell whether an editor replaced one (file_ids differ per bot and
-- may change; the unique id does not).
CREATE TABLE item_media (
    item_id         BIGINT NOT NULL REFERENCES ticker_items(id) ON DELETE CASCADE,
    position        BIGINT NOT NULL CHECK (position BETWEEN 0 AND 9),
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'animation', 'document')),
    file_id         TEXT NOT NULL,
    file_unique_id  TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);

-- Most items have none: the count lets a read skip the lookup of attachments.
ALTER TABLE ticker_items ADD COLUMN media_count BIGINT NOT NULL DEFAULT 0;

-- Which delivered messages show an attachment, and which one: a correction edits their
-- caption (editMessageCaption) or, when the editor replaced the file, the media itself
-- (editMessageMedia); text parts of the same group are edited as text.
ALTER TABLE sent_messages ADD COLUMN media_kind TEXT;
ALTER TABLE sent_messages ADD COLUMN media_file TEXT;
