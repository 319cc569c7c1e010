-- SQLite's 096 turns off FTS5's automerge (segments are merged after a change instead).
-- A GIN index over tsvector has no segments to merge: nothing to do on PostgreSQL, but the
-- migration level stays the same in both dialects.
SELECT 1;
