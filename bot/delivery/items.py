"""The ticker items a fan-out renders, read from the store and kept for a second."""

from __future__ import annotations

import asyncio
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
_FAILED = object()


class ItemCache:
    """A fan-out renders the same item thousands of times a second: read it once a second.

    When an entry expires, every sender wants it at once: the first reads it, the others
    wait for that read instead of sending hundreds of identical queries.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._items: dict[int, tuple[float, TickerItemRecord]] = {}
        # Reads under way, per item: resolve to the item, None (no such item) or _FAILED.
        self._reading: dict[int, asyncio.Future[object]] = {}

    async def load(self, ids: Sequence[int], *, fresh: bool = False) -> dict[int, TickerItemRecord]:
        """The items with these ids that exist; `fresh` reads them from the store."""
        now = self._clock.monotonic()
        found: dict[int, TickerItemRecord] = {}
        missing: list[int] = []
        waiting: list[tuple[int, asyncio.Future[object]]] = []
        for item_id in set(ids):
            cached = self._items.get(item_id)
            if cached and not fresh and cached[0] > now:
                found[item_id] = cached[1]
            elif not fresh and item_id in self._reading:
                waiting.append((item_id, self._reading[item_id]))
            else:
                missing.append(item_id)
        if missing:
            await self._read(missing, now, found)
        again = []
        for item_id, future in waiting:
            item = await asyncio.shield(future)
            if isinstance(item, TickerItemRecord):
                found[item_id] = item
            elif item is _FAILED:  # the other read failed: this caller reads for itself
                again.append(item_id)
        if again:
            await self._read(again, now, found)
        return found

    async def _read(self, ids: list[int], now: float, found: dict[int, TickerItemRecord]) -> None:
        loop = asyncio.get_running_loop()
        futures = {i: loop.create_future() for i in ids if i not in self._reading}
        self._reading.update(futures)
        try:
            read = await stories.items_by_ids(self._db, ids)
        except BaseException:
            for future in futures.values():
                future.set_result(_FAILED)
            raise
        finally:
            for item_id, future in futures.items():
                if self._reading.get(item_id) is future:
                    del self._reading[item_id]
        for item in read:
            found[item.id] = item
            self._items[item.id] = (now + _KEEP_SECONDS, item)
        for item_id, future in futures.items():
            future.set_result(found.get(item_id))
        if len(self._items) > _MAX_ENTRIES:
            self._items = {k: v for k, v in self._items.items() if v[0] > now}
