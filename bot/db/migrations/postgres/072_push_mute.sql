-- A subscriber muted from a push's buttons ("1 hour", "until tomorrow"): items added
-- before this time (unix seconds) are skipped for them, counted as 'skipped', not failed.
ALTER TABLE subscriptions ADD COLUMN muted_until DOUBLE PRECISION;
