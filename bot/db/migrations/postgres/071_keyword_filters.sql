-- Keyword filters: a subscription may follow only items that mention one of these words
-- (newline-separated, as the reader typed them; NULL: every item). Items a filter leaves
-- out get no delivery row, so they can never fail; job_counts counts them as 'skipped'.
ALTER TABLE subscriptions ADD COLUMN keywords TEXT;
