"""Reads see what was committed before them, and a reader never waits behind background reads."""

from __future__ import annotations

import asyncio

from bot.db.connection import Database
from tests.conftest_delivery import add_story

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


async def test_a_commit_is_seen_at_once_while_other_tasks_read(db: Database) -> None:
    story = await add_story(db)
    stop = asyncio.Event()

    async def busy_reader() -> None:
        # Like the renderer during a push: one small read after another, never idle.
        while not stop.is_set():
            await db.fetchone("SELECT id, title FROM stories WHERE id = ?", (story,))
            await db.fetchall("SELECT id FROM stories ORDER BY id")

    readers = [asyncio.create_task(busy_reader()) for _ in range(8)]
    try:
        for n in range(200):
            title = f"Title {n}"
            await db.execute("UPDATE stories SET title = ? WHERE id = ?", (title, story))
            seen = await db.fetchval("SELECT title FROM stories WHERE id = ?", (story,))
            assert seen == title, f"commit {n} not visible to the next read"
    finally:
        stop.set()
        await asyncio.gather(*readers)


async def test_a_reader_is_not_held_up_by_background_reads(db: Database) -> None:
    story = await add_story(db, "Lead story")
    slow = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)"
        " SELECT COUNT(*) FROM n"
    )
    with db.background_reads():
        # Started inside the block, the task reads like the push engine's tasks do.
        background = asyncio.create_task(db.fetchval(slow))
    await asyncio.sleep(0)  # let the background query reach its connection first
    title = await db.fetchval("SELECT title FROM stories WHERE id = ?", (story,))
    assert title == "Lead story"
    assert not background.done()  # the reader did not wait for it
    assert await background == 1000000
    with db.background_reads():
        assert await db.fetchval("SELECT title FROM stories WHERE id = ?", (story,)) == title


async def test_a_reader_facing_change_goes_before_queued_background_ones(db: Database) -> None:
    story = await add_story(db)
    order: list[str] = []
    release = asyncio.Event()

    async def background_holder() -> None:
        async with db.atomic():
            await release.wait()
            order.append("push 1")

    async def background(name: str) -> None:
        async with db.atomic() as conn:
            await conn.execute("UPDATE stories SET title = ? WHERE id = ?", (name, story))
            order.append(name)

    async def editor() -> None:
        async with db.atomic() as conn:
            await conn.execute("UPDATE stories SET lead = 'x' WHERE id = ?", (story,))
            order.append("editor")

    with db.background_reads():
        holder = asyncio.create_task(background_holder())
        await asyncio.sleep(0)
        queued = [asyncio.create_task(background(f"push {n}")) for n in (2, 3)]
    for _ in range(3):
        await asyncio.sleep(0)  # both background writes are waiting for the lock now
    change = asyncio.create_task(editor())
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(holder, change, *queued)
    assert order == ["push 1", "editor", "push 2", "push 3"]


async def test_a_cancelled_wait_for_the_writer_loses_nothing(db: Database) -> None:
    story = await add_story(db)
    release = asyncio.Event()

    async def holder() -> None:
        async with db.atomic():
            await release.wait()

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(db.execute("UPDATE stories SET title = 'never' WHERE id = 1"))
    await asyncio.sleep(0)
    waiting.cancel()
    release.set()
    await first
    assert waiting.cancelled()
    # The lock is free again for everyone else.
    await db.execute("UPDATE stories SET title = 'after' WHERE id = ?", (story,))
    assert await db.fetchval("SELECT title FROM stories WHERE id = ?", (story,)) == "after"
