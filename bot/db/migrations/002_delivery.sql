-- Subscriptions and the push outbox.
-- Scheduling columns of the outbox (next_at, claimed_at, sent_at, finished_at of jobs) hold
-- unix seconds as REAL, not ISO text: the claim query compares and orders them thousands of
-- times a second, and backoff arithmetic needs numbers.
CREATE TABLE subscriptions (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    story_id        INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    chat_type       TEXT NOT NULL DEFAULT 'private',
    status          TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'blocked', 'unsubscribed', 'ended')),
    mode            TEXT NOT NULL DEFAULT 'each' CHECK (mode IN ('each', 'digest')),
    quiet_start     INTEGER CHECK (quiet_start BETWEEN 0 AND 23),
    quiet_end       INTEGER CHECK (quiet_end BETWEEN 0 AND 23),
    utc_offset_min  INTEGER NOT NULL DEFAULT 0,
    -- Items with an id up to this one existed when the chat (re)subscribed: never pushed.
    since_item_id   INTEGER NOT NULL DEFAULT 0,
    status_reason   TEXT,
    subscribed_at   TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (chat_id, story_id)
);
-- The fan-out cursor walks a story's subscriptions in id order.
CREATE INDEX subscriptions_story ON subscriptions (story_id, id);

-- One row per fan-out: written in the transaction of the change that causes it, so the
-- change and the promise to deliver it commit together. Workers materialise deliveries
-- from it in batches, moving cursor forward in the same transaction as the inserts.
CREATE TABLE fanout_jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('item', 'refresh', 'recap')),
    story_id     INTEGER NOT NULL,
    item_id      INTEGER,
    cursor       INTEGER NOT NULL DEFAULT 0,   -- subscriptions.id or sent_messages rowid
    channel_done INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled')),
    created_at   REAL NOT NULL,
    finished_at  REAL,                         -- every delivery of the job reached an end
    logged       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX fanout_jobs_open ON fanout_jobs (state, id);
CREATE INDEX fanout_jobs_item ON fanout_jobs (item_id, kind);

-- The outbox proper. kind 'item': push item_id to chat_id; 'recap': the story's final recap;
-- 'refresh': re-render (edit, delete or extend) the already delivered group of messages whose
-- first message is (chat_id, message_id).
CREATE TABLE deliveries (
    id           INTEGER PRIMARY KEY,
    job_id       INTEGER,
    kind         TEXT NOT NULL CHECK (kind IN ('item', 'recap', 'refresh')),
    story_id     INTEGER NOT NULL,
    item_id      INTEGER,
    chat_id      INTEGER NOT NULL,
    sub_id       INTEGER,                      -- null for the channel copy
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
                     'pending', 'claimed', 'sent', 'failed', 'blocked', 'cancelled')),
    next_at      REAL NOT NULL,
    claimed_at   REAL,
    attempts     INTEGER NOT NULL DEFAULT 0,   -- failed attempts (429 is not one)
    timeouts     INTEGER NOT NULL DEFAULT 0,   -- ambiguous read timeouts: resent at most once
    message_id   INTEGER,                      -- kind item: the Telegram message it went out in
    sent_at      REAL,
    error        TEXT
);
CREATE UNIQUE INDEX deliveries_once ON deliveries (item_id, chat_id) WHERE kind = 'item';
CREATE INDEX deliveries_due ON deliveries (next_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_chat ON deliveries (chat_id, story_id, status);
CREATE INDEX deliveries_item ON deliveries (item_id, status);
CREATE INDEX deliveries_claimed ON deliveries (claimed_at) WHERE status = 'claimed';
-- A group with a refresh still pending needs no second one: it renders the items as they are.
CREATE INDEX deliveries_refresh ON deliveries (chat_id, message_id) WHERE kind = 'refresh';

-- Every Telegram message the engine sent, and which items it shows. Items too long for one
-- message go out as a group of parts; the group is the unit an edit or retraction of one of
-- its items re-renders (part 1 into the first message, part 2 into the second, ...).
CREATE TABLE sent_messages (
    chat_id      INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    story_id     INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    group_id     INTEGER NOT NULL,             -- message_id of the group's first message
    part         INTEGER NOT NULL DEFAULT 0,   -- order within the group
    sent_at      REAL NOT NULL,
    corrected_at REAL,                         -- edited in place after a correction
    deleted_at   REAL,                         -- removed after a retraction
    PRIMARY KEY (chat_id, message_id)
);

CREATE INDEX sent_messages_group ON sent_messages (chat_id, group_id);

-- Every message of a group lists all the group's items.
CREATE TABLE message_items (
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    item_id     INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id, item_id),
    FOREIGN KEY (chat_id, message_id) REFERENCES sent_messages (chat_id, message_id)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX message_items_item ON message_items (item_id);

-- Deliveries given up on, with the reason, for an operator to look at.
CREATE TABLE dead_letters (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    chat_id      INTEGER NOT NULL,
    item_id      INTEGER,
    attempts     INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
