-- /search costs the same at any number of matches. bm25 ranking scans every match of every
-- term to weigh it, and an unindexed story_id can only be checked after the match, so the
-- old table made every search O(matches) and every editor change a scan of the whole index.
-- Now `scope` holds tokens for the story ("s12"), the kind ("b", "q", "t") and the entry
-- ("q7", "t345"): a search walks only its story's newest matches, newest first, and an
-- entry's sentences are found through the index. Prefix indexes keep "word"* lazy too
-- (without one, FTS5 merges the postings of every term with that prefix up front).
CREATE VIRTUAL TABLE search_sentences_scoped USING fts5(
    text, story_id UNINDEXED, kind UNINDEXED, ref UNINDEXED, scope,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6 7 8'
);

INSERT INTO search_sentences_scoped (rowid, text, story_id, kind, ref, scope)
    SELECT rowid, text, story_id, kind, ref,
           's' || story_id || ' ' || substr(kind, 1, 1)
           || CASE WHEN kind = 'body' THEN '' ELSE ' ' || substr(kind, 1, 1) || ref END
    FROM search_sentences;

DROP TABLE search_sentences;

ALTER TABLE search_sentences_scoped RENAME TO search_sentences;
