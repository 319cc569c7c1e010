"""Delivery claims on PostgreSQL, where replicas share one outbox: a row is claimed by one
claimer only (FOR UPDATE SKIP LOCKED), and a row another claim holds is skipped, not
waited for."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import asyncpg

from bot.db import deliveries, subscriptions
from bot.db.connection import Database
from tests.conftest_delivery import add_item, add_story
from tests.conftest_pg import TEST_DATABASE, reset
from tests.pgserver import PgServer

CHATS = range(1001, 1201)


async def _outbox(url: str, items: int) -> Database:
    """An emptied store with every chat subscribed and `items` pushes enqueued."""
    await reset(url)
    db = await Database.open(url)
    story = await add_story(db)
    for chat in CHATS:
        await subscriptions.subscribe(db, chat, "private", story)
    for n in range(items):
        await add_item(db, story, f"Item {n}")
    # The engine's fan-out step: every push becomes one delivery row per chat.
    deadline = time.monotonic() + 30
    while await deliveries.materialize(db):
        assert time.monotonic() < deadline, "the fan-out did not finish"
    assert await db.fetchval("SELECT COUNT(*) FROM deliveries") == items * len(CHATS)
    return db


async def test_two_replicas_claiming_at_once_never_claim_one_delivery_twice(
    pg_server: PgServer,
) -> None:
    url = pg_server.url(TEST_DATABASE)
    first = await _outbox(url, items=3)
    second = await Database.open(url)
    claimed: Counter[int] = Counter()

    async def drain(db: Database) -> None:
        while batch := await deliveries.claim(db, limit=7, now=time.time() + 1):
            claimed.update(d.id for d in batch)

    try:
        await asyncio.wait_for(asyncio.gather(drain(first), drain(second)), 60)
        total = await first.fetchval("SELECT COUNT(*) FROM deliveries")
    finally:
        await second.close()
        await first.close()
    assert len(claimed) == total == 3 * len(CHATS)
    assert max(claimed.values()) == 1, "a delivery was claimed twice"


async def test_a_claim_skips_rows_another_replica_holds_instead_of_waiting(
    pg_server: PgServer,
) -> None:
    url = pg_server.url(TEST_DATABASE)
    db = await _outbox(url, items=1)
    other = await asyncpg.connect(url)
    try:
        # Another replica is in the middle of its claim of the first 50 rows.
        async with other.transaction():
            held = {
                r[0]
                for r in await other.fetch(
                    "SELECT id FROM deliveries ORDER BY id LIMIT 50 FOR UPDATE"
                )
            }
            batch = await asyncio.wait_for(deliveries.claim(db, limit=500, now=time.time() + 1), 10)
        got = {d.id for d in batch}
        assert got and not got & held
        assert len(got) == len(CHATS) - len(held)
    finally:
        await other.close()
        await db.close()
