-- PostgreSQL version of migration 051: a search walks its story's newest matching
-- sentences, and an editor's change finds an entry's sentences, through btree indexes
-- (SQLite's FTS5 does this with `scope` tokens; here they are plain columns).
CREATE INDEX search_sentences_story ON search_sentences (story_id, rowid);
CREATE INDEX search_sentences_entry ON search_sentences (kind, ref);
