-- Counts editors and readers see are kept as rows change, by triggers in the transaction of
-- the change: /stats, a /post's progress and /ticker's total cost the same at a million
-- subscribers, a hundred thousand items and any outbox history, instead of a recount.

-- Subscriptions per story and status.
CREATE TABLE subscription_counts (
    story_id  INTEGER NOT NULL,
    status    TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (story_id, status)
) WITHOUT ROWID;

INSERT INTO subscription_counts (story_id, status, n)
    SELECT story_id, status, COUNT(*) FROM subscriptions GROUP BY story_id, status;

CREATE TRIGGER subscription_counts_insert AFTER INSERT ON subscriptions BEGIN
    INSERT INTO subscription_counts (story_id, status, n) VALUES (new.story_id, new.status, 1)
        ON CONFLICT (story_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER subscription_counts_update AFTER UPDATE OF status, story_id ON subscriptions
    WHEN old.status IS NOT new.status OR old.story_id IS NOT new.story_id
BEGIN
    UPDATE subscription_counts SET n = n - 1
        WHERE story_id = old.story_id AND status = old.status;
    INSERT INTO subscription_counts (story_id, status, n) VALUES (new.story_id, new.status, 1)
        ON CONFLICT (story_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER subscription_counts_delete AFTER DELETE ON subscriptions BEGIN
    UPDATE subscription_counts SET n = n - 1
        WHERE story_id = old.story_id AND status = old.status;
END;

-- Deliveries per fan-out job, subscriber copies apart from the channel copy, by state:
-- 'open' (pending or claimed: a claim or a release changes no count, so the hot path of
-- the claim loop fires no counter update) or the outcome. Outcomes are history: a sent row
-- compacted out of the outbox stays counted as sent; only an open row that is deleted
-- (a migrated chat's duplicate) is taken off.
CREATE TABLE job_counts (
    job_id   INTEGER NOT NULL,
    channel  INTEGER NOT NULL,          -- 1: the channel copy (a delivery without sub_id)
    state    TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (job_id, channel, state)
) WITHOUT ROWID;

INSERT INTO job_counts (job_id, channel, state, n)
    SELECT job_id, sub_id IS NULL,
           CASE WHEN status IN ('pending', 'claimed') THEN 'open' ELSE status END, COUNT(*)
    FROM deliveries WHERE job_id IS NOT NULL GROUP BY 1, 2, 3;

CREATE TRIGGER job_counts_insert AFTER INSERT ON deliveries WHEN new.job_id IS NOT NULL BEGIN
    INSERT INTO job_counts (job_id, channel, state, n) VALUES (
        new.job_id, new.sub_id IS NULL,
        CASE WHEN new.status IN ('pending', 'claimed') THEN 'open' ELSE new.status END, 1)
        ON CONFLICT (job_id, channel, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER job_counts_update AFTER UPDATE OF status ON deliveries
    WHEN new.job_id IS NOT NULL
     AND (CASE WHEN old.status IN ('pending', 'claimed') THEN 'open' ELSE old.status END)
      != (CASE WHEN new.status IN ('pending', 'claimed') THEN 'open' ELSE new.status END)
BEGIN
    UPDATE job_counts SET n = n - 1
        WHERE job_id = old.job_id AND channel = (old.sub_id IS NULL)
          AND state = CASE WHEN old.status IN ('pending', 'claimed') THEN 'open'
                           ELSE old.status END;
    INSERT INTO job_counts (job_id, channel, state, n) VALUES (
        new.job_id, new.sub_id IS NULL,
        CASE WHEN new.status IN ('pending', 'claimed') THEN 'open' ELSE new.status END, 1)
        ON CONFLICT (job_id, channel, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER job_counts_delete AFTER DELETE ON deliveries
    WHEN old.job_id IS NOT NULL AND old.status IN ('pending', 'claimed')
BEGIN
    UPDATE job_counts SET n = n - 1
        WHERE job_id = old.job_id AND channel = (old.sub_id IS NULL) AND state = 'open';
END;

-- What an item's fan-out still has to materialise is estimated from the story's active
-- subscribers when the job was made (the counter above, not a count) minus the subscriber
-- copies made so far; exact again once the job is done.
ALTER TABLE fanout_jobs ADD COLUMN subscribers_at_start INTEGER;

CREATE TRIGGER fanout_jobs_subscribers AFTER INSERT ON fanout_jobs WHEN new.kind = 'item' BEGIN
    UPDATE fanout_jobs SET subscribers_at_start = COALESCE((
        SELECT n FROM subscription_counts WHERE story_id = new.story_id AND status = 'active'
    ), 0) WHERE id = new.id;
END;

-- /stats lists a story's most recently pushed items without walking every job.
CREATE INDEX fanout_jobs_story_item ON fanout_jobs (story_id, kind, item_id);

-- Live ticker items per story (/ticker's total, the recap).
CREATE TABLE story_item_counts (
    story_id  INTEGER PRIMARY KEY,
    live      INTEGER NOT NULL
);

INSERT INTO story_item_counts (story_id, live)
    SELECT id, (SELECT COUNT(*) FROM ticker_items t
                WHERE t.story_id = stories.id AND t.retracted_at IS NULL)
    FROM stories;

CREATE TRIGGER story_item_counts_insert AFTER INSERT ON ticker_items
    WHEN new.retracted_at IS NULL
BEGIN
    INSERT INTO story_item_counts (story_id, live) VALUES (new.story_id, 1)
        ON CONFLICT (story_id) DO UPDATE SET live = live + 1;
END;

CREATE TRIGGER story_item_counts_update AFTER UPDATE OF retracted_at, story_id ON ticker_items
    WHEN (old.retracted_at IS NULL) != (new.retracted_at IS NULL)
      OR old.story_id IS NOT new.story_id
BEGIN
    UPDATE story_item_counts SET live = live - (old.retracted_at IS NULL)
        WHERE story_id = old.story_id;
    INSERT INTO story_item_counts (story_id, live) VALUES (new.story_id, new.retracted_at IS NULL)
        ON CONFLICT (story_id) DO UPDATE SET live = live + (new.retracted_at IS NULL);
END;

CREATE TRIGGER story_item_counts_delete AFTER DELETE ON ticker_items
    WHEN old.retracted_at IS NULL
BEGIN
    UPDATE story_item_counts SET live = live - 1 WHERE story_id = old.story_id;
END;

-- /summary's "as of": the newest change of a story's items without reading them all.
CREATE INDEX ticker_items_updated ON ticker_items (story_id, updated_at);
