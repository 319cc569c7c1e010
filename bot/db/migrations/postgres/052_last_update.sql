-- /summary's "as of" is the newest edit, correction or retraction: each of the three is
-- one index lookup (the live-items index covers retracted_at), not a walk of every item.
DROP INDEX IF EXISTS ticker_items_updated;
CREATE INDEX ticker_items_posted ON ticker_items (story_id, origin, updated_at);
CREATE INDEX ticker_items_corrected ON ticker_items (story_id, corrected_at);
