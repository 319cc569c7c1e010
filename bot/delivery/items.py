"""The ticker items a fan-out renders, read from the store and kept for a second."""

from __future__ import annotations

from collections.abc import Sequence

from bot.db import stories
from bot.db.connection import Database
from bot.db.models import TickerItemRecord
from bot.delivery.clock import Clock

__all__ = ["ItemCache"]

# How long a read item is reused: a change that lands meanwhile is caught when the send is
# recorded (the store compares versions and queues a refresh).
_KEEP_SECONDS = 1.0
_MAX_ENTRIES = 10_000


class ItemCache:
    """A fan-out renders the same item thousands of times a second: read it once a second."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._items: dict[int, tuple[float, TickerItemRecord]] = {}

    async def load(self, ids: Sequence[int], *, fresh: bool = False) -> dict[int, TickerItemRecord]:
        """The items with these ids that exist; `fresh` reads them from the store."""
        now = self._clock.monotonic()
        found: dict[int, TickerItemRecord] = {}
        missing = []
        for item_id in set(ids):
            cached = self._items.get(item_id)
            if cached and not fresh and cached[0] > now:
                found[item_id] = cached[1]
            else:
                missing.append(item_id)
        if missing:
            for item in await stories.items_by_ids(self._db, missing):
                found[item.id] = item
                self._items[item.id] = (now + _KEEP_SECONDS, item)
            if len(self._items) > _MAX_ENTRIES:
                self._items = {k: v for k, v in self._items.items() if v[0] > now}
        return found
