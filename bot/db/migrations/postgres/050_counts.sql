-- PostgreSQL version of migration 050 (see ../050_counts.sql for why the counts exist).
-- The counters are kept by statement-level triggers over transition tables: a fan-out
-- batch of thousands of deliveries updates each counter once, not once per row.

CREATE TABLE subscription_counts (
    story_id  BIGINT NOT NULL,
    status    TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (story_id, status)
);

INSERT INTO subscription_counts (story_id, status, n)
    SELECT story_id, status, COUNT(*) FROM subscriptions GROUP BY story_id, status;

CREATE FUNCTION subscription_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO subscription_counts AS c (story_id, status, n)
        SELECT story_id, status, COUNT(*) FROM new_rows GROUP BY story_id, status
        ON CONFLICT (story_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION subscription_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscription_counts c SET n = c.n - d.k
        FROM (SELECT story_id, status, COUNT(*) AS k FROM old_rows GROUP BY 1, 2) d
        WHERE c.story_id = d.story_id AND c.status = d.status;
    RETURN NULL;
END
$$;

CREATE FUNCTION subscription_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subscription_counts c SET n = c.n - d.k
        FROM (SELECT o.story_id, o.status, COUNT(*) AS k FROM old_rows o
              JOIN new_rows w ON w.id = o.id
              WHERE o.status <> w.status OR o.story_id <> w.story_id GROUP BY 1, 2) d
        WHERE c.story_id = d.story_id AND c.status = d.status;
    INSERT INTO subscription_counts AS c (story_id, status, n)
        SELECT w.story_id, w.status, COUNT(*) FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE o.status <> w.status OR o.story_id <> w.story_id GROUP BY 1, 2
        ON CONFLICT (story_id, status) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER subscription_counts_insert AFTER INSERT ON subscriptions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION subscription_counts_add();
CREATE TRIGGER subscription_counts_update AFTER UPDATE ON subscriptions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION subscription_counts_change();
CREATE TRIGGER subscription_counts_delete AFTER DELETE ON subscriptions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION subscription_counts_remove();

CREATE TABLE job_counts (
    job_id   BIGINT NOT NULL,
    channel  BIGINT NOT NULL,
    state    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (job_id, channel, state)
);

-- 'open' for a delivery still to do (pending or claimed), else its outcome.
CREATE FUNCTION job_state(status TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status IN ('pending', 'claimed') THEN 'open' ELSE status END
$$;

INSERT INTO job_counts (job_id, channel, state, n)
    SELECT job_id, (sub_id IS NULL)::int, job_state(status), COUNT(*)
    FROM deliveries WHERE job_id IS NOT NULL GROUP BY 1, 2, 3;

CREATE FUNCTION job_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_counts AS c (job_id, channel, state, n)
        SELECT job_id, (sub_id IS NULL)::int, job_state(status), COUNT(*) FROM new_rows
        WHERE job_id IS NOT NULL GROUP BY 1, 2, 3
        ON CONFLICT (job_id, channel, state) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION job_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A claim or a release (pending <-> claimed) changes no count: the join finds nothing.
    UPDATE job_counts c SET n = c.n - d.k
        FROM (SELECT o.job_id, (o.sub_id IS NULL)::int AS channel, job_state(o.status) AS state,
                     COUNT(*) AS k
              FROM old_rows o JOIN new_rows w ON w.id = o.id
              WHERE o.job_id IS NOT NULL AND job_state(o.status) <> job_state(w.status)
              GROUP BY 1, 2, 3) d
        WHERE c.job_id = d.job_id AND c.channel = d.channel AND c.state = d.state;
    INSERT INTO job_counts AS c (job_id, channel, state, n)
        SELECT w.job_id, (w.sub_id IS NULL)::int, job_state(w.status), COUNT(*)
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE w.job_id IS NOT NULL AND job_state(o.status) <> job_state(w.status)
        GROUP BY 1, 2, 3
        ON CONFLICT (job_id, channel, state) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION job_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE job_counts c SET n = c.n - d.k
        FROM (SELECT job_id, (sub_id IS NULL)::int AS channel, COUNT(*) AS k FROM old_rows
              WHERE job_id IS NOT NULL AND status IN ('pending', 'claimed') GROUP BY 1, 2) d
        WHERE c.job_id = d.job_id AND c.channel = d.channel AND c.state = 'open';
    RETURN NULL;
END
$$;

CREATE TRIGGER job_counts_insert AFTER INSERT ON deliveries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_counts_add();
CREATE TRIGGER job_counts_update AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION job_counts_change();
CREATE TRIGGER job_counts_delete AFTER DELETE ON deliveries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION job_counts_remove();

ALTER TABLE fanout_jobs ADD COLUMN subscribers_at_start BIGINT;

CREATE FUNCTION fanout_jobs_subscribers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.subscribers_at_start := COALESCE((
        SELECT n FROM subscription_counts WHERE story_id = NEW.story_id AND status = 'active'
    ), 0);
    RETURN NEW;
END
$$;

CREATE TRIGGER fanout_jobs_subscribers BEFORE INSERT ON fanout_jobs
    FOR EACH ROW WHEN (NEW.kind = 'item') EXECUTE FUNCTION fanout_jobs_subscribers();

CREATE INDEX fanout_jobs_story_item ON fanout_jobs (story_id, kind, item_id);

CREATE TABLE story_item_counts (
    story_id  BIGINT PRIMARY KEY,
    live      BIGINT NOT NULL
);

INSERT INTO story_item_counts (story_id, live)
    SELECT id, (SELECT COUNT(*) FROM ticker_items t
                WHERE t.story_id = stories.id AND t.retracted_at IS NULL)
    FROM stories;

-- Items come one at a time (or a page's dozens): row-level triggers as in SQLite.
CREATE FUNCTION story_item_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.retracted_at IS NULL THEN
        UPDATE story_item_counts SET live = live - 1 WHERE story_id = OLD.story_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.retracted_at IS NULL THEN
        INSERT INTO story_item_counts AS c (story_id, live) VALUES (NEW.story_id, 1)
            ON CONFLICT (story_id) DO UPDATE SET live = c.live + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER story_item_counts_insert AFTER INSERT ON ticker_items
    FOR EACH ROW EXECUTE FUNCTION story_item_counts_change();
CREATE TRIGGER story_item_counts_update AFTER UPDATE OF retracted_at, story_id ON ticker_items
    FOR EACH ROW WHEN ((OLD.retracted_at IS NULL) <> (NEW.retracted_at IS NULL)
                       OR OLD.story_id <> NEW.story_id)
    EXECUTE FUNCTION story_item_counts_change();
CREATE TRIGGER story_item_counts_delete AFTER DELETE ON ticker_items
    FOR EACH ROW EXECUTE FUNCTION story_item_counts_change();

CREATE INDEX ticker_items_updated ON ticker_items (story_id, updated_at);
