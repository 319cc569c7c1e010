-- An item may carry more than one album's ten attachments (an editor's upload of fifteen
-- pictures arrives as two albums and stays one item): the position is no longer capped at
-- nine.
ALTER TABLE item_media DROP CONSTRAINT IF EXISTS item_media_position_check;
ALTER TABLE item_media ADD CONSTRAINT item_media_position_check CHECK (position >= 0);
