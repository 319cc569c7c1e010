-- Local time: a chat's IANA time zone (NULL: the TIMEZONE setting). Each subscription keeps
-- a copy, so the fan-out computes quiet hours and digests without a join per subscriber;
-- setting a chat's zone updates both in one transaction. A NULL zone on a subscription
-- means the older fixed utc_offset_min.
ALTER TABLE chats ADD COLUMN timezone TEXT;
ALTER TABLE subscriptions ADD COLUMN timezone TEXT;
