-- A transient failure is retried until it succeeds or DELIVERY_DEADLINE_SECONDS have passed
-- since the delivery first failed: the outbox remembers when that was (unix seconds).
ALTER TABLE deliveries ADD COLUMN failing_since DOUBLE PRECISION;
-- /retry finds a story's (or an item's) dead letters without walking the outbox.
CREATE INDEX deliveries_failed ON deliveries (story_id, item_id) WHERE status = 'failed';
CREATE INDEX dead_letters_delivery ON dead_letters (delivery_id);
-- /stats counts an item's deliveries waiting for a retry: only failing rows are indexed.
CREATE INDEX deliveries_retrying ON deliveries (job_id) WHERE failing_since IS NOT NULL;
