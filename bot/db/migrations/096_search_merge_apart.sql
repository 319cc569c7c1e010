-- The search index's segments are merged after an editor's change, in small steps
-- (stories.merge_search_segments), not inside the change's own commit (30–400 ms at
-- 100,000 items, one commit in ten). A crisis merge still happens inline should the steps
-- ever fall 16 segments behind on one level.
INSERT INTO search_sentences (search_sentences, rank) VALUES ('automerge', 0);
