-- Followed web sources (live blogs, feeds, pages) and which ticker item each entry became.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    story_id        INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    format          TEXT,                 -- liveblog, rss, atom, jsonfeed, html: as last read
    title           TEXT NOT NULL DEFAULT '',
    created_by      INTEGER,              -- the editor; null for FOLLOW_URLS
    started_story   INTEGER NOT NULL DEFAULT 0,  -- the story was made for this source
    etag            TEXT,
    last_modified   TEXT,
    body_hash       TEXT,                 -- servers without validators: unchanged bytes skip
    last_fetch_at   TEXT,
    last_change_at  TEXT,
    next_fetch_at   REAL NOT NULL DEFAULT 0,     -- epoch seconds
    failures        INTEGER NOT NULL DEFAULT 0,  -- consecutive, for back-off
    last_error      TEXT,                 -- one line, cleared by the next good fetch
    last_error_at   TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (story_id, url)
);
CREATE INDEX sources_due ON sources (next_fetch_at);

CREATE TABLE source_items (
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    entry_key     TEXT NOT NULL,          -- the source's own id (guid, @id, url) or a hash
    item_id       INTEGER NOT NULL REFERENCES ticker_items(id) ON DELETE CASCADE,
    content_hash  TEXT NOT NULL,          -- what the source last said: a change is a correction
    published     TEXT,
    PRIMARY KEY (source_id, entry_key)
);
CREATE INDEX source_items_item ON source_items (item_id);
