"""The engine's item cache: a fan-out's senders share one read when an entry expires."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.db import stories
from bot.db.connection import Database
from bot.db.models import TickerItemRecord
from bot.delivery.items import ItemCache
from tests.conftest_delivery import add_item, add_story


class CountingReads:
    """Wraps stories.items_by_ids: counts the store reads, can fail the next one."""

    def __init__(self) -> None:
        self.reads = 0
        self.fail_next = False
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, db: Database, ids: list[int]) -> list[TickerItemRecord]:
        self.reads += 1
        await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise OSError("disk I/O error")
        return await _items_by_ids(db, ids)


_items_by_ids = stories.items_by_ids


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> CountingReads:
    counting = CountingReads()
    monkeypatch.setattr(stories, "items_by_ids", counting)
    return counting


async def _load_all(cache: ItemCache, ids: Sequence[int], senders: int) -> list[set[int]]:
    found = await asyncio.gather(*(cache.load(ids) for _ in range(senders)))
    return [set(f) for f in found]


async def test_senders_wanting_the_same_item_share_one_read(
    db: Database, reads: CountingReads
) -> None:
    story = await add_story(db)
    item = await add_item(db, story, "Shared")
    cache = ItemCache(db, _Clock())
    reads.gate.clear()  # every sender asks before the first read answers
    pending = asyncio.ensure_future(_load_all(cache, [item], 50))
    await asyncio.sleep(0.05)
    reads.gate.set()
    assert await pending == [{item}] * 50
    assert reads.reads == 1


async def test_a_failed_shared_read_lets_the_others_read_for_themselves(
    db: Database, reads: CountingReads
) -> None:
    story = await add_story(db)
    item = await add_item(db, story, "Retried")
    cache = ItemCache(db, _Clock())
    reads.fail_next = True
    reads.gate.clear()
    first = asyncio.ensure_future(cache.load([item]))
    others = asyncio.ensure_future(_load_all(cache, [item], 5))
    await asyncio.sleep(0.05)
    reads.gate.set()
    with pytest.raises(OSError):
        await first
    assert await others == [{item}] * 5


async def test_an_expired_item_is_read_again(db: Database, reads: CountingReads) -> None:
    story = await add_story(db)
    item = await add_item(db, story, "Before")
    clock = _Clock()
    cache = ItemCache(db, clock)
    assert (await cache.load([item]))[item].headline == "Before"
    await db.execute("UPDATE ticker_items SET headline = 'After' WHERE id = ?", (item,))
    assert (await cache.load([item]))[item].headline == "Before"  # within the second
    clock.now += 1.5
    assert (await cache.load([item]))[item].headline == "After"
    assert reads.reads == 2


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        return event.is_set()
