-- An imported item keeps the stamp as its page printed it ("21:40 Uhr", "12 minutes ago",
-- "Dec 2, 6:45 p.m. ET") and the moment it resolves to (ISO 8601 with offset), NULL where
-- the page does not allow one: never the import time dressed up as the page's time.
ALTER TABLE ticker_items ADD COLUMN stamp TEXT;
ALTER TABLE ticker_items ADD COLUMN published_at TEXT;
