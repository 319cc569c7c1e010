-- Numbers readers and editors have seen (update #N in pushes and /retract N, quote #N,
-- story no. N, source N) must never name another row. SQLite gives a new row the highest
-- id in the table plus one, so a restored older copy would hand out again the numbers
-- issued after the backup. A restore records here the highest number the replaced
-- database had issued, and the store's inserts number new rows above it.
-- IF NOT EXISTS: a restore of a copy older than this migration creates the table ahead of
-- its turn (from this very file) to carry the floor; the migration then finds it there.
CREATE TABLE IF NOT EXISTS issued_numbers (
    table_name  TEXT PRIMARY KEY,    -- stories, ticker_items, quotes, sources
    highest     INTEGER NOT NULL
);
