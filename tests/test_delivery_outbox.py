"""The outbox holds the work in flight: sent rows are compacted, corrections still reach."""

from __future__ import annotations

from bench.fakeapi.botapi import FakeBotApi
from bot.db import deliveries
from bot.db.connection import Database
from tests.conftest_delivery import (
    add_item,
    add_story,
    edit_item,
    make_engine,
    retract_item,
    run_until_idle,
    subscribe_users,
)

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True

READERS = (101, 102, 103)


async def _outbox_rows(db: Database) -> int:
    return int(await db.fetchval("SELECT COUNT(*) FROM deliveries", (), 0))


async def test_sent_rows_are_compacted_and_corrections_still_reach_every_copy(
    db: Database, fake: FakeBotApi
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *READERS)
    first = await add_item(db, story, "First", "wrong")
    second = await add_item(db, story, "Second", "also wrong")
    engine = make_engine(db, fake, keep_sent=0, compact_every=0)
    await run_until_idle(engine)
    assert len([c for c in fake.calls("sendMessage") if c.ok]) == 3  # one message per chat
    # Once compacted, nothing of the finished push is left in the outbox...
    await deliveries.compact(db, sent_before=1e12)
    assert await _outbox_rows(db) == 0
    # ...but what editors see and what corrections need is kept.
    progress = await deliveries.item_progress(db, first)
    assert (progress.delivered, progress.pending, progress.done) == (3, 0, True)
    await edit_item(db, first, "right")
    await retract_item(db, second)
    await run_until_idle(make_engine(db, fake, keep_sent=0, compact_every=0))
    for chat in READERS:
        (message,) = fake.sent_messages(chat, include_deleted=False)
        assert "right" in (message.text or "")
        assert "Second" not in (message.text or "")
    assert len(fake.calls("editMessageText")) == 3
    assert (await deliveries.item_progress(db, second)).delivered == 3


async def test_the_engine_compacts_while_it_runs(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *range(201, 241))
    for n in range(5):
        await add_item(db, story, f"Item {n}")
    engine = make_engine(db, fake, keep_sent=0, compact_every=0)
    await run_until_idle(engine)
    await run_until_idle(make_engine(db, fake, keep_sent=0, compact_every=0))
    assert await _outbox_rows(db) == 0
    assert len({c.chat_id for c in fake.calls("sendMessage") if c.ok}) == 40
