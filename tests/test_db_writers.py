"""Writers of two processes on one SQLite file: the shared write lock and the pause between
the push engine's transactions, so that an editor's change is not starved by a push."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db.connection import Database
from bot.db.models import now_iso
from bot.db.writers import ProcessWriteLock
from tests.conftest_delivery import migrated_store, wait_until


def waiting_for_flock(path: Path) -> bool:
    """Whether some process waits for an flock on `path` (Linux lists waiters with "->")."""
    inode = os.stat(path).st_ino
    with open("/proc/locks", encoding="ascii") as locks:
        return any("->" in line and f":{inode} " in line for line in locks)


@pytest.fixture
async def two_processes(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    """The bot's store and the push engine's, as two processes open one file."""
    path = await migrated_store(tmp_path / "bot.sqlite3")
    bot, engine = await Database.open(path), await Database.open(path)
    try:
        yield bot, engine
    finally:
        await engine.close()
        await bot.close()


async def add_story(db: Database, slug: str) -> None:
    now = now_iso()
    await db.execute(
        "INSERT INTO stories (slug, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (slug, slug, now, now),
    )


async def test_an_editor_waiting_gets_in_between_two_push_transactions(
    two_processes: tuple[Database, Database], tmp_path: Path
) -> None:
    bot, engine = two_processes
    # A pause long enough for any machine; the product's is a few milliseconds.
    engine._background_gap_s = 0.2
    first_open = asyncio.Event()
    editor_waits = asyncio.Event()

    async def push() -> None:
        with engine.background_reads():
            async with engine.atomic():
                await add_story(engine, "push-1")
                first_open.set()
                await editor_waits.wait()
            # The engine's next transaction comes at once, as claims and results do.
            await add_story(engine, "push-2")

    pushing = asyncio.create_task(push())
    await first_open.wait()
    editing = asyncio.create_task(add_story(bot, "editor"))
    await wait_until(lambda: waiting_for_flock(tmp_path / "bot.sqlite3-writers"))
    editor_waits.set()
    await asyncio.gather(pushing, editing)
    rows = await bot.fetchall("SELECT slug FROM stories ORDER BY id")
    assert [r["slug"] for r in rows] == ["push-1", "editor", "push-2"]


async def test_a_writer_cancelled_while_waiting_leaves_the_lock_free(tmp_path: Path) -> None:
    path = str(tmp_path / "db-writers")
    holder, cancelled, later = (ProcessWriteLock(path) for _ in range(3))
    try:
        held = holder.held()
        await held.__aenter__()

        async def write() -> None:
            async with cancelled.held():
                raise AssertionError("got the lock while another held it")

        waiting = asyncio.create_task(write())
        await wait_until(lambda: waiting_for_flock(Path(path)))
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await held.__aexit__(None, None, None)
        # The cancelled writer's thread takes the lock when it comes free and gives it back.
        async with asyncio.timeout(10), later.held():
            pass
    finally:
        for lock in (holder, cancelled, later):
            lock.close()
