"""Following live sources on the web: safe fetching, format detection, polling.

No Telegram here: the poller stores what a source says through the follow service, and
the delivery engine pushes it like any other item."""
