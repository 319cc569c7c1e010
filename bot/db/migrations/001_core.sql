-- Stories and their content, per-chat preferences, and the editors' audit trail.
CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    lead            TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT 'de',
    summary_json    TEXT NOT NULL DEFAULT '[]',
    editor_summary  TEXT,
    archived_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Every page source (seeds/<file>, upload/<file>) and the story it feeds: an unchanged page
-- changes nothing, and an upload into a seeded story is not undone by the seed at restart.
CREATE TABLE page_imports (
    source_name  TEXT PRIMARY KEY,
    story_id     INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    page_hash    TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);

CREATE TABLE paragraphs (
    story_id  INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (story_id, position)
);

CREATE TABLE people (
    id        INTEGER PRIMARY KEY,
    story_id  INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    role      TEXT,
    UNIQUE (story_id, name)
);

CREATE TABLE quotes (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    speaker     TEXT,
    role        TEXT,
    fragment    INTEGER NOT NULL DEFAULT 0,
    origin      TEXT NOT NULL DEFAULT 'imported' CHECK (origin IN ('imported', 'editor')),
    edited_at   TEXT,                  -- an editor fixed it: a re-import keeps the fix
    deleted_at  TEXT
);
CREATE INDEX quotes_story ON quotes (story_id, deleted_at, fragment, position);

CREATE TABLE ticker_items (
    id            INTEGER PRIMARY KEY,
    story_id      INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    origin        TEXT NOT NULL CHECK (origin IN ('imported', 'posted')),
    import_key    TEXT,                  -- identity of an imported item across re-imports
    position      INTEGER NOT NULL,      -- chronological order within the story
    time          TEXT,                  -- the page's own time stamp, null where none
    headline      TEXT NOT NULL,
    body          TEXT NOT NULL DEFAULT '',
    pinned        INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    corrected_at  TEXT,
    retracted_at  TEXT
);
CREATE UNIQUE INDEX ticker_items_import_key ON ticker_items (story_id, import_key)
    WHERE import_key IS NOT NULL;
CREATE INDEX ticker_items_story_order ON ticker_items (story_id, position);
-- /ticker and /summary: live items, pinned first, newest first, without a sort.
CREATE INDEX ticker_items_live ON ticker_items (story_id, retracted_at, pinned, position);

CREATE TABLE chats (
    chat_id           INTEGER PRIMARY KEY,
    chat_type         TEXT NOT NULL DEFAULT 'private',
    display_name      TEXT,                 -- editors' names, for the audit trail
    language          TEXT,
    current_story_id  INTEGER REFERENCES stories(id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    user_id      INTEGER NOT NULL,
    action       TEXT NOT NULL,
    story_id     INTEGER,
    target       TEXT,
    before_json  TEXT,
    after_json   TEXT
);
CREATE INDEX audit_log_at ON audit_log (id DESC);

-- Sentences of body, quotes and ticker items for /search (accent- and case-insensitive).
CREATE VIRTUAL TABLE search_sentences USING fts5(
    text, story_id UNINDEXED, kind UNINDEXED, ref UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
