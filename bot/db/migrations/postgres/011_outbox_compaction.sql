-- Sent deliveries are compacted out of the outbox a minute after they went out: the outbox
-- holds the work in flight, not the history. What corrections need (which messages show
-- which items) lives in sent_messages and message_items; the counts editors see live in
-- job_counts (migration 050), where a compacted row stays counted as sent.
CREATE INDEX deliveries_sent ON deliveries (sent_at) WHERE status = 'sent';
