-- A transient failure is retried until it succeeds or DELIVERY_DEADLINE_SECONDS have passed
-- since the delivery first failed: the outbox remembers when that was (unix seconds).
ALTER TABLE deliveries ADD COLUMN failing_since REAL;
